import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Distinct SQL texts are few (queries are built from fixed shapes), so this rarely evicts. */
const MAX_STATEMENTS = 500;

/**
 * Kysely's SQLite driver prepares every query anew; compiling the SQL costs more than running
 * it for the short statements an API request makes. This keeps prepared statements by SQL text
 * (a bounded LRU), which is safe because better-sqlite3 statements are reusable and the
 * connection is used by one query at a time.
 */
export function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sql, statement);
      return statement as unknown as ReturnType<SqliteDatabase['prepare']>;
    },
  };
}
