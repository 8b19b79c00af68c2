import type { Insertable, Selectable, Updateable } from 'kysely';
import type { PaymentIntentsTable, Tx } from '../schema.js';
import { paginate, whereCreated, type CreatedRange, type PageRequest } from '../pagination.js';
import { forUpdate } from '../store.js';

export type PaymentIntentRow = Selectable<PaymentIntentsTable>;

/**
 * The intent with this id in this account. With `lock`, the row stays locked until the
 * transaction ends (forUpdate): a transition that reads and compare-and-sets the intent in one
 * transaction then waits for a concurrent one instead of losing to it.
 */
export function findPaymentIntentByAccountAndId(
  tx: Tx,
  accountId: string,
  id: string,
  options: { lock?: boolean } = {},
) {
  const query = tx
    .selectFrom('payment_intents')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id);
  return (options.lock ? forUpdate(tx, query) : query).executeTakeFirst();
}

/**
 * The intent with this id in any account: only for the 3-D Secure page, which has no API key and
 * proves its right to the intent with the client secret instead.
 */
export function findPaymentIntentById(tx: Tx, id: string) {
  return tx.selectFrom('payment_intents').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertPaymentIntent(
  tx: Tx,
  row: Insertable<PaymentIntentsTable>,
): Promise<PaymentIntentRow> {
  return tx.insertInto('payment_intents').values(row).returningAll().executeTakeFirstOrThrow();
}

/**
 * Compare-and-set: applies `patch` only if the row still has `version`, and bumps the version.
 * Returns undefined when another request changed the intent first (0 rows updated); on
 * PostgreSQL the second writer waits for the first's row lock and then finds the old version
 * gone, so two concurrent transitions can never both apply.
 */
export function updatePaymentIntentIfVersion(
  tx: Tx,
  accountId: string,
  id: string,
  version: number,
  patch: Updateable<PaymentIntentsTable>,
): Promise<PaymentIntentRow | undefined> {
  return tx
    .updateTable('payment_intents')
    .set({ ...patch, version: version + 1 })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Updates fields no payment attempt depends on (metadata, description, receipt email…) without
 * bumping the version, so a confirm planned meanwhile still applies. The caller holds the row
 * lock.
 */
export function updatePaymentIntentInformation(
  tx: Tx,
  accountId: string,
  id: string,
  patch: Updateable<PaymentIntentsTable>,
): Promise<PaymentIntentRow | undefined> {
  return tx
    .updateTable('payment_intents')
    .set(patch)
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export interface PaymentIntentFilter {
  customer?: string;
  created?: CreatedRange;
}

export function listPaymentIntentsByAccount(
  tx: Tx,
  accountId: string,
  filter: PaymentIntentFilter,
  page: PageRequest,
) {
  return paginate<PaymentIntentRow>(tx, 'payment_intents', accountId, page, (q) => {
    if (filter.customer !== undefined) q = q.where('customer_id', '=', filter.customer);
    return whereCreated(q, filter.created);
  });
}
