import type { Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/**
 * Payment intents remember that the payer finished 3-D Secure (a manually confirmed intent is
 * authorised by the next confirm, as already authenticated), and charges remember that their
 * funds skip the pending balance (test card 0077), which matters when they are captured later.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('payment_intents')
    .addColumn('authenticated', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('charges')
    .addColumn('bypass_pending', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
