import {
  listCustomerTransactions,
  type CustomerTransactionFilter,
} from '../store/repositories/customer-transactions.js';
import type { PageRequest } from '../store/pagination.js';
import type { Tx } from '../store/schema.js';
import type { CallContext } from './context.js';
import { requireCustomer } from './customers.js';

/**
 * A customer's payment history, newest first: one line per charge (and, from the refunds work,
 * per refund), written in the same transaction as the object it describes.
 * @throws ApiError resource_missing (404) for an unknown or deleted customer.
 */
export async function listCustomerHistory(
  tx: Tx,
  ctx: CallContext,
  customerId: string,
  filter: CustomerTransactionFilter,
  page: PageRequest,
) {
  await requireCustomer(tx, ctx.accountId, customerId);
  return listCustomerTransactions(tx, ctx.accountId, customerId, filter, page);
}
