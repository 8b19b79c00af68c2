import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration } from 'kysely';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Database, Db, Tx } from './schema.js';
import * as initial from './migrations/001-initial.js';
import * as paymentIntents from './migrations/002-payment-intents.js';
import { GroupCommitter } from './group-commit.js';
import { withStatementCache } from './statement-cache.js';

export type Dialect = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** `sqlite:PATH`, `sqlite::memory:` or `postgres://…`. */
  url: string;
  /** When false, SQLite commits without waiting for fsync (test suites that need speed). */
  durable?: boolean;
  poolSize?: number;
  statementTimeoutMs?: number;
}

/**
 * The database: one Kysely instance over SQLite or PostgreSQL, and the one way to run a
 * transaction. Repositories take a `Tx` so that a service can put all its writes in one.
 */
export class Store {
  private readonly groupCommitter?: GroupCommitter;

  constructor(
    readonly db: Db,
    readonly dialect: Dialect,
  ) {
    if (dialect === 'sqlite') this.groupCommitter = new GroupCommitter(db);
  }

  /**
   * Runs `work` in one transaction. On PostgreSQL a serialisation failure or deadlock is retried
   * a bounded number of times. On SQLite, which serialises writers on its one connection, the
   * transactions that arrive together share one commit (see group-commit.ts).
   */
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.groupCommitter) return this.groupCommitter.run(work);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute(work);
      } catch (error) {
        if (attempt >= 5 || !isRetryableConflict(error)) throw error;
      }
    }
  }

  async migrate(): Promise<void> {
    const dialect = this.dialect;
    const migrations: Record<string, Migration> = {
      '001-initial': { up: (db) => initial.up(db, dialect) },
      '002-payment-intents': { up: (db) => paymentIntents.up(db, dialect) },
    };
    const migrator = new Migrator({
      db: this.db,
      provider: { getMigrations: async () => migrations },
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** PostgreSQL's serialization_failure and deadlock_detected. */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40001' || code === '40P01';
}

/** A unique-constraint violation on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | null;
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

export function openStore(options: StoreOptions): Store {
  const { url } = options;
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return new Store(new Kysely<Database>({ dialect: postgresDialect(options) }), 'postgres');
  }
  if (url.startsWith('sqlite:')) {
    return new Store(new Kysely<Database>({ dialect: sqliteDialect(options) }), 'sqlite');
  }
  throw new Error(`Unsupported database URL (expected sqlite:PATH or postgres://…): ${url}`);
}

function sqliteDialect(options: StoreOptions): SqliteDialect {
  const path = options.url.slice('sqlite:'.length) || './payrail.db';
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const database = new SqliteDatabase(path);
  database.pragma('journal_mode = WAL');
  // FULL makes every commit wait for fsync of the WAL: an acknowledged write survives power loss.
  database.pragma(`synchronous = ${options.durable === false ? 'OFF' : 'FULL'}`);
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return new SqliteDialect({ database: withStatementCache(database) });
}

function postgresDialect(options: StoreOptions): PostgresDialect {
  // int8 and numeric (sums) come back as strings by default; every amount here is a safe integer.
  pg.types.setTypeParser(20, (v) => Number(v));
  pg.types.setTypeParser(1700, (v) => Number(v));
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
  });
  return new PostgresDialect({ pool });
}
