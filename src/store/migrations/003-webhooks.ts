import type { Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/**
 * Indexes for the webhook reads that 001 did not cover: an endpoint's deliveries newest first
 * (GET /v1/webhook_endpoints/:id/deliveries) and events filtered by type.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createIndex('webhook_deliveries_endpoint')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'created', 'seq'])
    .execute();
  await db.schema.createIndex('events_type').on('events').columns(['account_id', 'type']).execute();
}
