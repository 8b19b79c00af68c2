import type { ControlledTransaction, Kysely } from 'kysely';
import type { Database, Tx } from './schema.js';

/** Enough to amortise one fsync over a burst while keeping the lock short. */
const MAX_BATCH = 64;

interface Queued {
  work: (tx: Tx) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Settled =
  { item: Queued; ok: true; value: unknown } | { item: Queued; ok: false; error: unknown };

/**
 * Group commit for SQLite: the transactions that arrive together run one after another inside
 * ONE database transaction, each in its own savepoint, and share one COMMIT — one fsync for the
 * group instead of one per request. A failing unit rolls back to its savepoint and touches no
 * other. Nobody is answered before the batch is on disk: either COMMIT itself waited for fsync
 * or, with `syncLog`, the WAL's fdatasync has finished.
 *
 * Batches start on the next turn of the event loop (setImmediate), so every request whose
 * handler reached its transaction in the current turn joins the same batch. As with any SQLite
 * transaction here, a unit must use only the `tx` it is given: calling `store.db` inside one
 * would wait for the connection the batch holds.
 */
export class GroupCommitter {
  private queue: Queued[] = [];
  private running = false;
  /** Settles when the last COMMIT begun so far is on disk; undefined when all are. */
  private unsynced?: Promise<void>;

  /**
   * @param syncLog when given, makes what COMMIT wrote durable (an fdatasync of the WAL on the
   * thread pool); a batch is answered only after it resolves. Meanwhile the next batch may run:
   * its own sync, started after its COMMIT, covers everything it read from this one.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly syncLog?: () => Promise<void>,
  ) {}

  /**
   * Waits until everything committed so far is on disk. An answer built from a read may show
   * rows of a batch whose sync is still running (or a replayed idempotent result): it waits
   * here, so that no answer reveals a write that a crash could still lose.
   */
  durable(): Promise<void> {
    return this.unsynced ?? Promise.resolve();
  }

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
    // Set before COMMIT, so that any read that can see this batch's rows finds it pending.
    let synced = () => {};
    const previous = this.unsynced;
    const unsynced = this.syncLog ? new Promise<void>((resolve) => (synced = resolve)) : undefined;
    if (unsynced) this.unsynced = unsynced;
    // In order: a failed batch must not report the batch before it as on disk.
    const done = () =>
      void (previous ?? Promise.resolve()).then(() => {
        synced();
        if (this.unsynced === unsynced) this.unsynced = undefined;
      });
    try {
      for (const [index, item] of batch.entries())
        settled.push(await runUnit(trx, item, `unit${index}`));
      await trx.commit().execute();
    } catch (error) {
      // The batch itself failed (the savepoint machinery or COMMIT): nothing of it is durable.
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      done();
      for (const item of batch) item.reject(error);
      return;
    }
    if (!this.syncLog) return settle(settled);
    // Not awaited: the event loop and the next batch go on while the disk syncs. A failed sync
    // leaves the batch committed but not known to be on disk, so nobody in it hears success.
    this.syncLog().then(
      () => {
        done();
        settle(settled);
      },
      (error: unknown) => {
        // Readers are released too: they answer, but the writers of this batch all fail, marked
        // as committed: their effects (and idempotency results) stand, and must not be undone.
        done();
        for (const item of batch) item.reject(new CommittedUnsyncedError(error));
      },
    );
  }
}

function settle(settled: Settled[]): void {
  for (const result of settled) {
    if (result.ok) result.item.resolve(result.value);
    else result.item.reject(result.error);
  }
}

async function runUnit(
  trx: ControlledTransaction<Database>,
  item: Queued,
  name: string,
): Promise<Settled> {
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

/**
 * The batch committed, but its sync to disk failed: a crash may still lose it, and a retry
 * must not assume it rolled back (an idempotency key stays claimed, with its stored answer).
 */
export class CommittedUnsyncedError extends Error {
  constructor(cause: unknown) {
    super('The transaction committed but could not be synced to disk', { cause });
    this.name = 'CommittedUnsyncedError';
  }
}

export function isCommittedUnsynced(error: unknown): boolean {
  return error instanceof CommittedUnsyncedError;
}
