import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { sql } from 'kysely';
import type { TestServer } from './server.js';

/**
 * Everything the server's database holds, as bytes to search for secrets: on SQLite the
 * database files themselves (main file, WAL, journal), on PostgreSQL every row of every table.
 */
export async function storedBytes(t: TestServer): Promise<Buffer> {
  if (t.databaseUrl.startsWith('sqlite:')) {
    const path = t.databaseUrl.slice('sqlite:'.length);
    const files = readdirSync(dirname(path)).filter((name) => name.startsWith(basename(path)));
    return Buffer.concat(files.map((name) => readFileSync(join(dirname(path), name))));
  }
  const db = t.server.services.store.db;
  const tables = await sql<{ tablename: string }>`
    select tablename from pg_tables where schemaname = 'public'`.execute(db);
  const chunks: string[] = [];
  for (const { tablename } of tables.rows) {
    const rows = await sql<{ row: unknown }>`
      select row_to_json(t)::text as row from ${sql.table(tablename)} t`.execute(db);
    for (const { row } of rows.rows) chunks.push(String(row));
  }
  return Buffer.from(chunks.join('\n'));
}
