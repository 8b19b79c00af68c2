import cluster, { type Worker } from 'node:cluster';
import type { ServerConfig } from '../config.js';
import { openConfiguredStore, prepareDatabase } from '../main.js';
import { printCreatedAccount } from './output.js';

/**
 * The primary of `payrail start --workers N`: runs migrations and the default-account step once,
 * then forks N server processes that share one listening socket (node:cluster hands incoming
 * connections to the workers in turn). It serves no requests itself and holds no state: a worker
 * that dies after it started listening is replaced; one that dies before (bad port, database
 * down) stops the whole cluster with status 1 rather than being re-forked forever.
 * SIGINT/SIGTERM stop every worker before the primary exits.
 */
export async function runClusterPrimary(config: ServerConfig): Promise<void> {
  if (config.databaseUrl === 'sqlite::memory:') {
    throw new Error('--workers needs a database the processes share, not sqlite::memory:');
  }
  const store = openConfiguredStore(config);
  try {
    const created = await prepareDatabase(store, config);
    if (created) printCreatedAccount(created);
  } finally {
    await store.close();
  }

  const running = new Set<Worker>();
  const listening = new Set<Worker>();
  let stopping = false;
  const stop = (exitCode: number) => {
    stopping = true;
    process.exitCode = exitCode;
    if (running.size === 0) process.exit();
    // Each worker's own SIGTERM handler closes its server and exits.
    for (const worker of running) worker.process.kill('SIGTERM');
  };

  cluster.on('listening', (worker) => listening.add(worker));
  cluster.on('exit', (worker, code, signal) => {
    running.delete(worker);
    if (stopping) {
      if (running.size === 0) process.exit();
      return;
    }
    process.stderr.write(`payrail: worker ${worker.process.pid} exited (${signal ?? code})\n`);
    if (!listening.has(worker)) return stop(1);
    listening.delete(worker);
    running.add(cluster.fork());
  });
  process.once('SIGINT', () => stop(0));
  process.once('SIGTERM', () => stop(0));

  for (let i = 0; i < (config.workers ?? 1); i++) running.add(cluster.fork());
}

/** True in a process forked by runClusterPrimary. */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}
