import type { Selectable, Updateable } from 'kysely';
import type { CustomersTable, Tx } from '../schema.js';
import { paginate, whereCreated, type CreatedRange, type PageRequest } from '../pagination.js';
import { forUpdate } from '../store.js';

export type CustomerRow = Selectable<CustomersTable>;

/**
 * The customer with this id in this account, deleted ones included.
 * With `lock`, the row stays locked until the transaction ends (forUpdate): for a
 * read-modify-write such as a metadata merge, which has no version to compare-and-set on.
 */
export function findCustomerByAccountAndId(
  tx: Tx,
  accountId: string,
  id: string,
  options: { lock?: boolean } = {},
) {
  const query = tx
    .selectFrom('customers')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id);
  return (options.lock ? forUpdate(tx, query) : query).executeTakeFirst();
}

export async function insertCustomer(tx: Tx, row: Omit<CustomerRow, 'seq'>): Promise<CustomerRow> {
  return tx.insertInto('customers').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateCustomerByAccountAndId(
  tx: Tx,
  accountId: string,
  id: string,
  patch: Updateable<CustomersTable>,
): Promise<CustomerRow | undefined> {
  return tx
    .updateTable('customers')
    .set(patch)
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .where('deleted', '=', 0)
    .returningAll()
    .executeTakeFirst();
}

export interface CustomerFilter {
  email?: string;
  created?: CreatedRange;
}

/** Live customers, newest first; deleted customers never appear in lists. */
export function listCustomersByAccount(
  tx: Tx,
  accountId: string,
  filter: CustomerFilter,
  page: PageRequest,
) {
  return paginate<CustomerRow>(tx, 'customers', accountId, page, (q) => {
    q = q.where('deleted', '=', 0);
    if (filter.email !== undefined) q = q.where('email', '=', filter.email);
    return whereCreated(q, filter.created);
  });
}
