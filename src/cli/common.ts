import { InvalidArgumentError } from 'commander';
import { configFromEnv } from '../config.js';
import { openConfiguredStore } from '../main.js';
import type { Store } from '../store/store.js';

/** A whole number ≥ 0 from a flag. */
export function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('expected a whole number ≥ 0');
  }
  return n;
}

/** Opens (and migrates) the database named by --database or PAYRAIL_DATABASE_URL, runs, closes. */
export async function withStore<T>(
  databaseUrl: string | undefined,
  work: (store: Store) => Promise<T>,
): Promise<T> {
  const config = configFromEnv({ databaseUrl });
  const store = openConfiguredStore(config);
  try {
    await store.withStartupLock(() => store.migrate());
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Prints `value` as JSON with --json, else the human text. */
export function output(json: boolean | undefined, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
