import type { Insertable, Selectable } from 'kysely';
import type { CustomerTransactionsTable, Tx } from '../schema.js';
import { paginate, whereCreated, type CreatedRange, type PageRequest } from '../pagination.js';

export type CustomerTransactionRow = Selectable<CustomerTransactionsTable>;

export function insertCustomerTransaction(
  tx: Tx,
  row: Insertable<CustomerTransactionsTable>,
): Promise<CustomerTransactionRow> {
  return tx
    .insertInto('customer_transactions')
    .values(row)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Keeps a history line in step with its source (a charge captured for less, or released). */
export async function updateCustomerTransactionBySource(
  tx: Tx,
  accountId: string,
  sourceId: string,
  patch: { status?: string; amount?: number },
): Promise<void> {
  await tx
    .updateTable('customer_transactions')
    .set(patch)
    .where('account_id', '=', accountId)
    .where('source_id', '=', sourceId)
    .execute();
}

export interface CustomerTransactionFilter {
  type?: string;
  status?: string;
  currency?: string;
  created?: CreatedRange;
}

/** One customer's history, newest first. */
export function listCustomerTransactions(
  tx: Tx,
  accountId: string,
  customerId: string,
  filter: CustomerTransactionFilter,
  page: PageRequest,
) {
  return paginate<CustomerTransactionRow>(tx, 'customer_transactions', accountId, page, (q) => {
    q = q.where('customer_id', '=', customerId);
    if (filter.type !== undefined) q = q.where('type', '=', filter.type);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.currency !== undefined) q = q.where('currency', '=', filter.currency);
    return whereCreated(q, filter.created);
  });
}
