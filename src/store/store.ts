import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Migration,
  type SelectQueryBuilder,
} from 'kysely';
import type Pg from 'pg';
import { createRequire as requireFrom } from 'node:module';
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Database, Db, Tx } from './schema.js';
import * as initial from './migrations/001-initial.js';
import * as paymentIntents from './migrations/002-payment-intents.js';
import { GroupCommitter } from './group-commit.js';
import { withStatementCache } from './statement-cache.js';
import * as webhooks from './migrations/003-webhooks.js';
import * as settings from './migrations/004-settings.js';

export type Dialect = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** `sqlite:PATH`, `sqlite::memory:` or `postgres://…`. */
  url: string;
  /** When false, SQLite commits without waiting for fsync (test suites that need speed). */
  durable?: boolean;
  /** PostgreSQL: most connections this process holds (default 10). */
  poolSize?: number;
  /** PostgreSQL: a statement running longer is cancelled (57014 → 429 lock_timeout). */
  statementTimeoutMs?: number;
  /**
   * PostgreSQL: longest a query waits for a free pooled connection before it fails with 429
   * lock_timeout (default 30 s, or 3 statement timeouts if longer).
   */
  connectionWaitMs?: number;
}

export const DEFAULT_PG_POOL_SIZE = 10;
export const DEFAULT_PG_STATEMENT_TIMEOUT_MS = 10_000;
/** Attempts of a transaction that keeps failing on serialisation failures or deadlocks. */
const MAX_TRANSACTION_ATTEMPTS = 5;
/** Any fixed number that other code using advisory locks on the same database will not pick. */
const STARTUP_LOCK_ID = 7_202_612_040;

/**
 * The database: one Kysely instance over SQLite or PostgreSQL, and the one way to run a
 * transaction. Repositories take a `Tx` so that a service can put all its writes in one.
 */
export class Store {
  private readonly groupCommitter?: GroupCommitter;

  /** @param walSync SQLite: makes committed WAL frames durable (see sqliteDialect). */
  constructor(
    readonly db: Db,
    readonly dialect: Dialect,
    private readonly walSync?: WalSync,
  ) {
    if (dialect === 'sqlite') {
      this.groupCommitter = new GroupCommitter(db, walSync && (() => walSync.sync()));
    }
  }

  /**
   * Settles once every transaction committed so far is on disk: answers wait for it, so that
   * none shows a write a crash could still lose. Immediate on PostgreSQL, whose COMMIT syncs.
   */
  durable(): Promise<void> {
    return this.groupCommitter?.durable() ?? Promise.resolve();
  }

  /**
   * Runs `work` in one transaction. On PostgreSQL a serialisation failure or deadlock is retried
   * a bounded number of times, so `work` may run more than once and must do nothing but database
   * work. On SQLite, which serialises writers on its one connection, the transactions that
   * arrive together share one commit (see group-commit.ts).
   */
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.groupCommitter) return this.groupCommitter.run(work);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute(work);
      } catch (error) {
        // Exhausted retries surface the database error; the HTTP edge answers 429 lock_timeout.
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isRetryableConflict(error)) throw error;
      }
      // Jittered so that the transactions that collided do not collide again in step.
      await sleep(attempt * (5 + Math.random() * 20));
    }
  }

  /**
   * Runs `work`, which only reads, on one consistent snapshot: a read that checks one table
   * against another (the balance against the ledger) must not see a write commit in between.
   * Outside a transaction each statement sees its own snapshot (PostgreSQL's read committed,
   * and on SQLite another process may commit between two statements). PostgreSQL takes a
   * REPEATABLE READ, READ ONLY transaction, which never waits for or blocks writers; SQLite a
   * deferred transaction, whose WAL snapshot holds from its first read.
   */
  async snapshot<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.dialect !== 'postgres') return this.db.transaction().execute(work);
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(work);
  }

  /**
   * Runs `work` while holding a database-wide lock, so that start-up steps (migrations, the
   * default account) run once at a time when several processes start together. On SQLite the
   * single connection already serialises them within a process.
   */
  async withStartupLock<T>(work: () => Promise<T>): Promise<T> {
    if (this.dialect !== 'postgres') return work();
    // A session-level advisory lock, held on one dedicated connection while `work` uses others.
    return this.db.connection().execute(async (connection) => {
      // Waiting for another process's start-up is not a slow statement: no timeout while queued.
      await sql`set statement_timeout = 0`.execute(connection);
      await sql`select pg_advisory_lock(${sql.lit(STARTUP_LOCK_ID)})`.execute(connection);
      try {
        return await work();
      } finally {
        await sql`select pg_advisory_unlock(${sql.lit(STARTUP_LOCK_ID)})`.execute(connection);
        await sql`reset statement_timeout`.execute(connection);
      }
    });
  }

  async migrate(): Promise<void> {
    const dialect = this.dialect;
    const migrations: Record<string, Migration> = {
      '001-initial': { up: (db) => initial.up(db, dialect) },
      '002-payment-intents': { up: (db) => paymentIntents.up(db, dialect) },
      '003-webhooks': { up: (db) => webhooks.up(db, dialect) },
      '004-settings': { up: (db) => settings.up(db, dialect) },
    };
    const migrator = new Migrator({
      db: this.db,
      provider: { getMigrations: async () => migrations },
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  }

  async close(): Promise<void> {
    await this.groupCommitter?.durable();
    await this.db.destroy();
    await this.walSync?.close();
  }
}

/**
 * Locks the rows `query` reads until the transaction ends (`FOR UPDATE` on PostgreSQL), for a
 * read-modify-write that has no version column to compare-and-set on: a concurrent writer waits
 * and then reads the committed row. With `skipLocked`, rows another transaction holds are left
 * out instead of waited for (a queue several processes claim work from, e.g. webhook
 * deliveries). SQLite needs no row locks, as its one connection runs one transaction at a time
 * (and it has no FOR UPDATE syntax).
 */
export function forUpdate<Q extends SelectQueryBuilder<any, any, any>>(
  tx: Tx,
  query: Q,
  options: { skipLocked?: boolean } = {},
): Q {
  if (!(tx.getExecutor().adapter instanceof PostgresAdapter)) return query;
  const locked = query.forUpdate();
  return (options.skipLocked ? locked.skipLocked() : locked) as Q;
}

let savepointCount = 0;

/**
 * Runs `work` inside a savepoint of `tx`, so that an expected failure (a unique violation to
 * answer differently) can be caught without losing the transaction: PostgreSQL aborts the whole
 * transaction on any error, SQLite does not; with a savepoint both roll back just `work`.
 */
export async function withSavepoint<T>(tx: Tx, work: () => Promise<T>): Promise<T> {
  // Outside a transaction each statement may run on another pooled connection.
  if (!tx.isTransaction) throw new Error('withSavepoint needs a transaction');
  const name = sql.raw(`payrail_sp_${++savepointCount}`);
  await sql`savepoint ${name}`.execute(tx);
  try {
    const result = await work();
    await sql`release savepoint ${name}`.execute(tx);
    return result;
  } catch (error) {
    await sql`rollback to savepoint ${name}`.execute(tx);
    throw error;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** PostgreSQL's serialization_failure and deadlock_detected: the transaction may be retried. */
export function isRetryableConflict(error: unknown): boolean {
  const code = errorCode(error);
  return code === '40001' || code === '40P01';
}

/**
 * The database could not get a lock in time or kept colliding with other writers: a conflict
 * (retried by `transaction` until it gave up), lock_not_available (55P03), query_canceled by
 * the statement timeout (57014), no pooled connection free in time, or SQLite's busy lock.
 * Stripe answers these with 429 `lock_timeout`; a client retry is safe, as nothing committed.
 */
export function isLockTimeout(error: unknown): boolean {
  const code = errorCode(error);
  return (
    isRetryableConflict(error) ||
    code === '55P03' ||
    code === '57014' ||
    code === POOL_TIMEOUT ||
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_BUSY_SNAPSHOT'
  );
}

/** A unique-constraint violation on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

export function openStore(options: StoreOptions): Store {
  const { url } = options;
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // withStartupLock holds one connection while migrations and start-up work use another.
    if (options.poolSize !== undefined && options.poolSize < 2) {
      throw new Error(`The PostgreSQL pool size must be at least 2, not ${options.poolSize}`);
    }
    return new Store(new Kysely<Database>({ dialect: postgresDialect(options) }), 'postgres');
  }
  if (url.startsWith('sqlite:')) {
    const { dialect, walSync } = sqliteDialect(options);
    return new Store(new Kysely<Database>({ dialect }), 'sqlite', walSync);
  }
  throw new Error(`Unsupported database URL (expected sqlite:PATH or postgres://…): ${url}`);
}

/**
 * The SQLite connection, and for a durable file database the `syncLog` that makes commits
 * durable. COMMIT under `synchronous = FULL` would fsync the WAL on the event loop's thread,
 * stopping every request for the disk's flush time (several ms per batch). Instead SQLite
 * commits under NORMAL (WAL written, not synced; checkpoints still sync the WAL before and the
 * database after) and the group committer answers a batch only after an fdatasync of the WAL
 * file, run on libuv's thread pool, has finished: the same guarantee, off the event loop.
 */
function sqliteDialect(options: StoreOptions): {
  dialect: SqliteDialect;
  walSync?: WalSync;
} {
  const path = options.url.slice('sqlite:'.length) || './payrail.db';
  const inMemory = path === ':memory:';
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const database = new SqliteDatabase(path);
  database.pragma('journal_mode = WAL');
  const durable = options.durable !== false;
  database.pragma(`synchronous = ${!durable ? 'OFF' : inMemory ? 'FULL' : 'NORMAL'}`);
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  database.pragma('cache_size = -8000');
  const dialect = new SqliteDialect({ database: withStatementCache(database) });
  if (!durable || inMemory) return { dialect };
  return { dialect, walSync: walSyncer(`${path}-wal`) };
}

/**
 * fdatasync of the WAL file on the thread pool. The file exists from the first commit on and
 * SQLite keeps (resets, never replaces) it while a connection is open, so one handle serves.
 */
function walSyncer(walPath: string): WalSync {
  let handle: Promise<FileHandle> | undefined;
  return {
    async sync() {
      handle ??= open(walPath, 'r');
      try {
        await (await handle).datasync();
      } catch (error) {
        handle = undefined;
        throw error;
      }
    },
    async close() {
      const open = handle;
      handle = undefined;
      await (await open?.catch(() => undefined))?.close();
    },
  };
}

interface WalSync {
  sync(): Promise<void>;
  close(): Promise<void>;
}

let pgModule: typeof Pg | undefined;

/**
 * pg, loaded on first use: loading it took a tenth of a SQLite server's start-up (the issue
 * asks for a first answer within 500 ms). A plain require keeps the bundler from inlining it.
 */
function loadPg(): typeof Pg {
  if (pgModule) return pgModule;
  const pg = requireFrom(import.meta.url)('pg') as typeof Pg;
  // int8 (bigint columns, count(*)) and numeric (sum()) come back as strings by default; every
  // amount, timestamp and sequence here is a safe integer, so they are read as numbers. These
  // parsers are process-wide, like pg's defaults they replace.
  pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
  pgModule = pg;
  return pg;
}

function postgresDialect(options: StoreOptions): PostgresDialect {
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_PG_STATEMENT_TIMEOUT_MS;
  const pool = new (loadPg().Pool)({
    connectionString: options.url,
    max: options.poolSize ?? DEFAULT_PG_POOL_SIZE,
    statement_timeout: statementTimeoutMs,
    // Bursts queue for a connection; a process saturated for this long answers 429 instead.
    connectionTimeoutMillis: options.connectionWaitMs ?? Math.max(30_000, 3 * statementTimeoutMs),
    // A process that hangs inside a transaction must not hold its row locks forever.
    idle_in_transaction_session_timeout: Math.max(60_000, statementTimeoutMs * 2),
    application_name: 'payrail',
  });
  // An idle connection the server closed (restart, failover) emits here; without a listener it
  // would crash the process. The pool drops that client and the next query opens a new one.
  pool.on('error', () => {});
  return new PostgresDialect({
    pool: {
      connect: () => pool.connect().catch((error: unknown) => Promise.reject(poolError(error))),
      end: () => pool.end(),
    },
  });
}

/** Code of the error a request gets when every pooled connection stayed busy too long. */
export const POOL_TIMEOUT = 'PAYRAIL_POOL_TIMEOUT';

/**
 * pg-pool reports a full pool's wait timing out only by its message; give it a code so that it
 * answers 429 lock_timeout (the process is saturated; a retry later or elsewhere can succeed).
 */
function poolError(error: unknown): unknown {
  if (!(error instanceof Error) || error.message !== 'timeout exceeded when trying to connect') {
    return error;
  }
  return Object.assign(new Error('No database connection became free in time', { cause: error }), {
    code: POOL_TIMEOUT,
  });
}
