import type { Insertable, Selectable, Updateable } from 'kysely';
import type { RefundsTable, Tx } from '../schema.js';
import { paginate, whereCreated, type CreatedRange, type PageRequest } from '../pagination.js';
import { forUpdate } from '../store.js';

export type RefundRow = Selectable<RefundsTable>;

/**
 * The row with this id in this account.
 * With `lock`, the row stays locked until the transaction ends (forUpdate): for a
 * read-modify-write such as a metadata merge, which has no version to compare-and-set on.
 */
export function findRefundByAccountAndId(
  tx: Tx,
  accountId: string,
  id: string,
  options: { lock?: boolean } = {},
) {
  const query = tx
    .selectFrom('refunds')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id);
  return (options.lock ? forUpdate(tx, query) : query).executeTakeFirst();
}

export function insertRefund(tx: Tx, row: Insertable<RefundsTable>): Promise<RefundRow> {
  return tx.insertInto('refunds').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateRefundByAccountAndId(
  tx: Tx,
  accountId: string,
  id: string,
  patch: Updateable<RefundsTable>,
): Promise<RefundRow | undefined> {
  return tx
    .updateTable('refunds')
    .set(patch)
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export interface RefundFilter {
  charge?: string;
  paymentIntent?: string;
  created?: CreatedRange;
}

export function listRefundsByAccount(
  tx: Tx,
  accountId: string,
  filter: RefundFilter,
  page: PageRequest,
) {
  return paginate<RefundRow>(tx, 'refunds', accountId, page, (q) => {
    if (filter.charge !== undefined) q = q.where('charge_id', '=', filter.charge);
    if (filter.paymentIntent !== undefined) {
      q = q.where('payment_intent_id', '=', filter.paymentIntent);
    }
    return whereCreated(q, filter.created);
  });
}

/** The intent's charge that succeeded (captured or only authorised), newest first. */
export function findSucceededChargeOfIntent(tx: Tx, accountId: string, paymentIntentId: string) {
  return tx
    .selectFrom('charges')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('payment_intent_id', '=', paymentIntentId)
    .where('status', '=', 'succeeded')
    .orderBy('created', 'desc')
    .orderBy('seq', 'desc')
    .executeTakeFirst();
}
