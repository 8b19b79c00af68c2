import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { generateApiKey } from '../../src/domain/api-keys.js';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from './database.js';

/**
 * Real `payrail start` processes for multi-process tests (several servers on one database, or
 * one `--workers` cluster). They run the built CLI (`npm test` builds first), listen on
 * 127.0.0.1 with a port the OS picks, and are stopped by PID in `stop()`.
 */
const CLI = fileURLToPath(new URL('../../dist/payrail.mjs', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** Output kept per process for failure messages and log assertions. */
const OUTPUT_LIMIT_CHARS = 1_000_000;

export interface ServerProcessOptions {
  databaseUrl: string;
  /** PAYRAIL_SECRET_KEY: the same key makes every process serve the same account. */
  secretKey: string;
  publishableKey?: string;
  /** More `payrail start` flags, e.g. ['--workers', '2']. */
  args?: string[];
  env?: Record<string, string>;
  /** Ready once this many "Payrail listening" lines were logged (one per worker). */
  listeners?: number;
}

export interface ServerProcess {
  /** The process `payrail start` runs in (a cluster's primary with --workers). */
  child: ChildProcess;
  url: string;
  port: number;
  /** PIDs that logged "Payrail listening": the process itself, or each worker. */
  serverPids: number[];
  stripe: Stripe;
  /** Raw HTTP with the secret key unless told otherwise. */
  fetch(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  /** Everything the process wrote so far (pino JSON lines and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited in time; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Starts one `payrail start` process and waits until it (or each worker) listens. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const child = spawn(
    process.execPath,
    [
      CLI,
      'start',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--database',
      options.databaseUrl,
      ...(options.args ?? []),
    ],
    {
      env: {
        ...process.env,
        PAYRAIL_SECRET_KEY: options.secretKey,
        PAYRAIL_PUBLISHABLE_KEY: options.publishableKey ?? '',
        PAYRAIL_LOG_LEVEL: 'info',
        PAYRAIL_DURABILITY: 'relaxed',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT_CHARS);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );

  let listening: { pids: number[]; url: string };
  try {
    listening = await waitForListening(() => output, exited, options.listeners ?? 1);
  } catch (error) {
    await stopChild(child, exited);
    const message = `${(error as Error).message}\n--- output ---\n${output.slice(-4000)}`;
    throw new Error(message, { cause: error });
  }
  try {
    return serverProcess(child, exited, listening, options.secretKey, () => output);
  } catch (error) {
    // A process that listens but cannot be used must not outlive the test.
    await stopChild(child, exited);
    throw error;
  }
}

function serverProcess(
  child: ChildProcess,
  exited: Promise<number | null>,
  listening: { pids: number[]; url: string },
  secretKey: string,
  output: () => string,
): ServerProcess {
  const url = new URL(listening.url);
  const port = Number(url.port);
  return {
    child,
    url: listening.url,
    port,
    serverPids: listening.pids,
    stripe: new Stripe(secretKey, {
      host: '127.0.0.1',
      port,
      protocol: 'http',
      maxNetworkRetries: 0,
      telemetry: false,
    }),
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      const key = init.key === undefined ? secretKey : init.key;
      if (key) headers.set('authorization', `Bearer ${key}`);
      return fetch(listening.url + path, { ...init, headers });
    },
    output,
    stop: () => stopChild(child, exited),
  };
}

/** Parses pino's JSON lines until `count` processes logged that they listen. */
async function waitForListening(
  output: () => string,
  exited: Promise<number | null>,
  count: number,
): Promise<{ pids: number[]; url: string }> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const lines = logLines(output()).filter((l) => String(l.msg).startsWith('Payrail listening'));
    if (lines.length >= count) {
      // The one listen line is Fastify's, worded by startServer: `Payrail listening on URL`.
      const url = /listening on (\S+)/.exec(String(lines[0].msg))?.[1] ?? String(lines[0].url);
      return { pids: lines.map((l) => Number(l.pid)), url };
    }
    if (gone) throw new Error('payrail start exited before it listened');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`payrail start did not listen within ${START_TIMEOUT_MS} ms`);
}

/** The JSON log lines of a process's output (other lines, e.g. warnings, are left out). */
export function logLines(output: string): Array<Record<string, unknown>> {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

export interface ServerProcessGroup {
  database: TestDatabase;
  secretKey: string;
  processes: ServerProcess[];
  /** Stops every process, then drops the database. */
  close(): Promise<void>;
}

/**
 * Starts `count` processes at the same moment on one fresh database (PostgreSQL by default,
 * since that is what several processes share in production), all serving one account.
 */
export async function startServerProcesses(
  count: number,
  options: { kind?: TestDatabaseKind; args?: string[]; env?: Record<string, string> } = {},
): Promise<ServerProcessGroup> {
  const database = await createTestDatabase(options.kind ?? 'postgres');
  const secretKey = generateApiKey('secret');
  const started = await Promise.allSettled(
    Array.from({ length: count }, () =>
      startServerProcess({
        databaseUrl: database.url,
        secretKey,
        args: options.args,
        env: options.env,
        listeners: listenersOf(options.args),
      }),
    ),
  );
  const processes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const close = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await database.drop();
  };
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) {
    await close();
    throw failure.reason;
  }
  return { database, secretKey, processes, close };
}

/** One "listening" line per worker with --workers N, else one. */
function listenersOf(args: string[] | undefined): number {
  const at = args?.indexOf('--workers') ?? -1;
  return at >= 0 ? Number(args![at + 1]) : 1;
}
