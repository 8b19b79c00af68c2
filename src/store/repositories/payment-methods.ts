import type { Selectable, Updateable } from 'kysely';
import type { PaymentMethodsTable, Tx } from '../schema.js';
import { paginate, type PageRequest } from '../pagination.js';
import { forUpdate } from '../store.js';

export type PaymentMethodRow = Selectable<PaymentMethodsTable>;

/**
 * The payment method with this id in this account, detached ones included.
 * With `lock`, the row stays locked until the transaction ends (forUpdate): for a
 * read-modify-write such as a metadata merge, which has no version to compare-and-set on.
 */
export function findPaymentMethodByAccountAndId(
  tx: Tx,
  accountId: string,
  id: string,
  options: { lock?: boolean } = {},
) {
  const query = tx
    .selectFrom('payment_methods')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id);
  return (options.lock ? forUpdate(tx, query) : query).executeTakeFirst();
}

export function insertPaymentMethod(
  tx: Tx,
  row: Omit<PaymentMethodRow, 'seq'>,
): Promise<PaymentMethodRow> {
  return tx.insertInto('payment_methods').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updatePaymentMethodByAccountAndId(
  tx: Tx,
  accountId: string,
  id: string,
  patch: Updateable<PaymentMethodsTable>,
): Promise<PaymentMethodRow | undefined> {
  return tx
    .updateTable('payment_methods')
    .set(patch)
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Compare-and-set on a payment method still unattached and unconsumed: one writer wins. */
function updateIfUnused(
  tx: Tx,
  accountId: string,
  id: string,
  patch: Updateable<PaymentMethodsTable>,
): Promise<PaymentMethodRow | undefined> {
  return tx
    .updateTable('payment_methods')
    .set(patch)
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .where('customer_id', 'is', null)
    .where('consumed', '=', 0)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Attaches only if the row is still unattached and unconsumed (compare-and-set), so two
 * concurrent attaches to different customers cannot both win.
 */
export function attachPaymentMethodByAccountAndId(
  tx: Tx,
  accountId: string,
  id: string,
  customerId: string,
): Promise<PaymentMethodRow | undefined> {
  return updateIfUnused(tx, accountId, id, { customer_id: customerId });
}

/**
 * Uses up an unattached payment method after its one payment, only if it is still unattached
 * and unconsumed (compare-and-set): of concurrent payments with one single-use method, one wins.
 */
export function consumePaymentMethodByAccountAndId(
  tx: Tx,
  accountId: string,
  id: string,
): Promise<PaymentMethodRow | undefined> {
  return updateIfUnused(tx, accountId, id, { consumed: 1 });
}

/** Detaches from `customerId` only if still attached to it; the row is then consumed for good. */
export function detachPaymentMethodByAccountAndId(
  tx: Tx,
  accountId: string,
  id: string,
  customerId: string,
): Promise<PaymentMethodRow | undefined> {
  return tx
    .updateTable('payment_methods')
    .set({ customer_id: null, consumed: 1 })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .where('customer_id', '=', customerId)
    .returningAll()
    .executeTakeFirst();
}

export interface PaymentMethodFilter {
  customerId: string;
  type?: string;
}

/** A customer's payment methods, newest first. */
export function listPaymentMethodsByAccountAndCustomer(
  tx: Tx,
  accountId: string,
  filter: PaymentMethodFilter,
  page: PageRequest,
) {
  return paginate<PaymentMethodRow>(tx, 'payment_methods', accountId, page, (q) => {
    q = q.where('customer_id', '=', filter.customerId);
    if (filter.type !== undefined) q = q.where('type', '=', filter.type);
    return q;
  });
}
