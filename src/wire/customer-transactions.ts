import type { CustomerTransactionRow } from '../store/repositories/customer-transactions.js';

/** One entry of a customer's payment history: a charge (positive) or a refund (negative). */
export function customerTransactionToWire(row: CustomerTransactionRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'customer_transaction',
    type: row.type,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    created: row.created,
    source: row.source_id,
  };
}
