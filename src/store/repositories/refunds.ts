import type { Insertable, Selectable, Updateable } from 'kysely';
import type { RefundsTable, Tx } from '../schema.js';
import { paginate, whereCreated, type CreatedRange, type PageRequest } from '../pagination.js';

export type RefundRow = Selectable<RefundsTable>;

export function findRefundByAccountAndId(tx: Tx, accountId: string, id: string) {
  return tx
    .selectFrom('refunds')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
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
