import type { Selectable, Updateable } from 'kysely';
import type { CustomersTable, Tx } from '../schema.js';
import { paginate, whereCreated, type CreatedRange, type PageRequest } from '../pagination.js';

export type CustomerRow = Selectable<CustomersTable>;

/** The customer with this id in this account, deleted ones included. */
export function findCustomerByAccountAndId(tx: Tx, accountId: string, id: string) {
  return tx
    .selectFrom('customers')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
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
