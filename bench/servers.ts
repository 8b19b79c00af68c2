// Starting and watching the servers under test: each is a child process on 127.0.0.1 whose
// resident memory is sampled while a workload runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ServerUnderTest {
  name: string;
  url: string;
  process: ChildProcess;
  /** Milliseconds from spawn to the first successful answer. */
  firstAnswerMs: number;
}

export async function startServer(
  name: string,
  command: string,
  args: string[],
  url: string,
  probePath: string,
  env: Record<string, string> = {},
): Promise<ServerUnderTest> {
  const started = performance.now();
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url + probePath, {
        headers: env.AUTH ? { authorization: env.AUTH } : {},
      });
      if (response.status < 500) {
        return { name, url, process: child, firstAnswerMs: performance.now() - started };
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill();
  throw new Error(`${name} did not answer within 30 s`);
}

/** Resident set size of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Samples RSS every 50 ms until stopped; returns the peak. */
export function sampleRss(pid: number): () => number {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // The process ended.
    }
  }, 50);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

export async function stopServer(server: ServerUnderTest): Promise<void> {
  if (server.process.exitCode !== null) return;
  const exited = new Promise((resolve) => server.process.once('exit', resolve));
  server.process.kill('SIGTERM');
  await exited;
}
