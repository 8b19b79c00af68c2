import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Which database the tests run on. `PAYRAIL_TEST_DATABASE=postgres` (with
 * `PAYRAIL_TEST_POSTGRES_URL`, set by .ci/services.sh) runs them on PostgreSQL; SQLite otherwise.
 */
export type TestDatabaseKind = 'sqlite' | 'postgres';

/** The PostgreSQL server's admin URL, or undefined when none is available. */
export const postgresAdminUrl: string | undefined =
  process.env.PAYRAIL_TEST_POSTGRES_URL || undefined;

export function testDatabaseKind(): TestDatabaseKind {
  if (process.env.PAYRAIL_TEST_DATABASE !== 'postgres') return 'sqlite';
  if (!postgresAdminUrl) {
    throw new Error('PAYRAIL_TEST_DATABASE=postgres needs PAYRAIL_TEST_POSTGRES_URL');
  }
  return 'postgres';
}

export interface TestDatabase {
  kind: TestDatabaseKind;
  /** A URL for openStore / --database. */
  url: string;
  /** Removes the database (its files on SQLite); safe to call twice. */
  drop(): Promise<void>;
}

/** A fresh, empty database of the given kind (the current test run's kind by default). */
export async function createTestDatabase(
  kind: TestDatabaseKind = testDatabaseKind(),
): Promise<TestDatabase> {
  return kind === 'postgres' ? createPostgresDatabase() : createSqliteDatabase();
}

function createSqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'payrail-test-'));
  return {
    kind: 'sqlite',
    url: `sqlite:${join(dir, 'payrail.db')}`,
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createPostgresDatabase(): Promise<TestDatabase> {
  if (!postgresAdminUrl) throw new Error('PAYRAIL_TEST_POSTGRES_URL is not set');
  // Lower-case letters and digits only, so the name needs no quoting anywhere.
  const name = `payrail_test_${randomBytes(8).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    kind: 'postgres',
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE ends sessions a crashed or killed server process may have left behind.
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * How a PostgreSQL-only test should be declared in this pass: run it in the PostgreSQL pass;
 * skip it (visibly) when there is no PostgreSQL; omit it from the SQLite pass of a two-pass run,
 * since the PostgreSQL pass runs it.
 */
export function postgresTestMode(): 'run' | 'skip' | 'omit' {
  if (testDatabaseKind() === 'postgres') return 'run';
  return postgresAdminUrl ? 'omit' : 'skip';
}

export const NO_POSTGRES = 'no PostgreSQL: set PAYRAIL_TEST_POSTGRES_URL (see .ci/services.sh)';
