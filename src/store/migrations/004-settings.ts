import type { Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/** Deployment-wide settings that must be the same for every process, such as secret keys. */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
