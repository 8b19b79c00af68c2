import type { ControlledTransaction, Kysely } from 'kysely';
import type { Database, Tx } from './schema.js';

/** Enough to amortise one fsync over a burst while keeping the lock short. */
const MAX_BATCH = 64;

interface Queued {
  work: (tx: Tx) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Settled = { item: Queued; ok: true; value: unknown } | { item: Queued; ok: false; error: unknown };

/**
 * Group commit for SQLite: the transactions that arrive together run one after another inside
 * ONE database transaction, each in its own savepoint, and share one COMMIT — one fsync for the
 * group instead of one per request. A failing unit rolls back to its savepoint and touches no
 * other. Nobody is answered before the COMMIT has returned, so an acknowledged write is on disk.
 *
 * Batches start on the next turn of the event loop (setImmediate), so every request whose
 * handler reached its transaction in the current turn joins the same batch. As with any SQLite
 * transaction here, a unit must use only the `tx` it is given: calling `store.db` inside one
 * would wait for the connection the batch holds.
 */
export class GroupCommitter {
  private queue: Queued[] = [];
  private running = false;

  constructor(private readonly db: Kysely<Database>) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        await this.runBatch(this.queue.splice(0, MAX_BATCH));
      }
    } finally {
      this.running = false;
      // Units queued while the last batch committed start their own.
      if (this.queue.length > 0) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    }
  }

  private async runBatch(batch: Queued[]): Promise<void> {
    let trx: ControlledTransaction<Database>;
    try {
      trx = await this.db.startTransaction().execute();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    const settled: Settled[] = [];
    try {
      for (const [index, item] of batch.entries()) settled.push(await runUnit(trx, item, `unit${index}`));
      await trx.commit().execute();
    } catch (error) {
      // The batch itself failed (the savepoint machinery or COMMIT): nothing of it is durable.
      await trx.rollback().execute().catch(() => undefined);
      for (const item of batch) item.reject(error);
      return;
    }
    for (const result of settled) {
      if (result.ok) result.item.resolve(result.value);
      else result.item.reject(result.error);
    }
  }
}

async function runUnit(trx: ControlledTransaction<Database>, item: Queued, name: string): Promise<Settled> {
  const savepoint = await trx.savepoint(name).execute();
  try {
    const value = await item.work(savepoint);
    await savepoint.releaseSavepoint(name).execute();
    return { item, ok: true, value };
  } catch (error) {
    // If this throws too, the whole transaction is unusable and the batch fails as one.
    await savepoint.rollbackToSavepoint(name).execute();
    return { item, ok: false, error };
  }
}
