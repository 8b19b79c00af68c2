import type { Selectable, Updateable } from 'kysely';
import type { Tx, WebhookEndpointsTable } from '../schema.js';
import { paginate, type PageRequest } from '../pagination.js';
import { forUpdate } from '../store.js';

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;

/**
 * A live (not deleted) endpoint of this account.
 * With `lock`, the row stays locked until the transaction ends (forUpdate): for a
 * read-modify-write such as a metadata merge, which has no version to compare-and-set on.
 */
export function findWebhookEndpointByAccountAndId(
  tx: Tx,
  accountId: string,
  id: string,
  options: { lock?: boolean } = {},
) {
  const query = tx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .where('deleted', '=', 0);
  return (options.lock ? forUpdate(tx, query) : query).executeTakeFirst();
}

export function insertWebhookEndpoint(tx: Tx, row: Omit<WebhookEndpointRow, 'seq'>) {
  return tx.insertInto('webhook_endpoints').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateWebhookEndpointByAccountAndId(
  tx: Tx,
  accountId: string,
  id: string,
  patch: Updateable<WebhookEndpointsTable>,
) {
  return tx
    .updateTable('webhook_endpoints')
    .set(patch)
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .where('deleted', '=', 0)
    .returningAll()
    .executeTakeFirst();
}

export async function countLiveWebhookEndpoints(tx: Tx, accountId: string): Promise<number> {
  const row = await tx
    .selectFrom('webhook_endpoints')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('account_id', '=', accountId)
    .where('deleted', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Live endpoints, newest first. */
export function listWebhookEndpointsByAccount(tx: Tx, accountId: string, page: PageRequest) {
  return paginate<WebhookEndpointRow>(tx, 'webhook_endpoints', accountId, page, (q) =>
    q.where('deleted', '=', 0),
  );
}

/** Enabled, live endpoints of the account: the candidates for an event's deliveries. */
export function listEnabledWebhookEndpoints(tx: Tx, accountId: string) {
  return tx
    .selectFrom('webhook_endpoints')
    .select(['id', 'enabled_events'])
    .where('account_id', '=', accountId)
    .where('status', '=', 'enabled')
    .where('deleted', '=', 0)
    .execute();
}
