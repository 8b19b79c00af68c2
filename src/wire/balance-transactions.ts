import {
  findBalanceTransactionByAccountAndId,
  type BalanceTransactionRow,
} from '../store/repositories/balance-transactions.js';
import { registerExpansion } from './expand.js';
import { json } from './list.js';

/** Stripe's derived status: funds are available once `available_on` has passed. */
export function balanceTransactionStatus(row: BalanceTransactionRow, now: number) {
  return row.available_on <= now ? 'available' : 'pending';
}

/** A balance transaction in Stripe's shape (§3.7); `now` (Unix seconds) decides its status. */
export function balanceTransactionToWire(
  row: BalanceTransactionRow,
  now: number,
): Record<string, unknown> {
  return {
    id: row.id,
    object: 'balance_transaction',
    amount: row.amount,
    available_on: row.available_on,
    created: row.created,
    currency: row.currency,
    description: row.description,
    exchange_rate: null,
    fee: row.fee,
    fee_details: json(row.fee_details),
    net: row.net,
    reporting_category: row.reporting_category,
    source: row.source_id,
    status: balanceTransactionStatus(row, now),
    type: row.type,
  };
}

registerExpansion(
  'txn',
  'balance_transaction',
  async (tx, accountId, id) => {
    const row = await findBalanceTransactionByAccountAndId(tx, accountId, id);
    // TODO: loaders get no request time, so an expanded balance transaction takes its status
    // from the wall clock; this differs from the request's time only under an injected clock.
    return row && balanceTransactionToWire(row, Math.floor(Date.now() / 1000));
  },
  ['source'],
);
