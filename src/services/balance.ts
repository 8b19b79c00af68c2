import { assert } from '../domain/assert.js';
import { errors } from '../domain/errors.js';
import {
  findBalanceTransactionByAccountAndId,
  listBalanceTransactionsByAccount,
  sumLedgerEntriesByAccount,
  sumNetsByAccountAndStatus,
  type BalanceTransactionFilter,
} from '../store/repositories/balance-transactions.js';
import type { PageRequest } from '../store/pagination.js';
import type { Tx } from '../store/schema.js';
import type { CallContext } from './context.js';

export async function retrieveBalanceTransaction(tx: Tx, ctx: CallContext, id: string) {
  const row = await findBalanceTransactionByAccountAndId(tx, ctx.accountId, id);
  if (!row) throw errors.resourceMissing('balance transaction', id);
  return row;
}

export function listBalanceTransactions(
  tx: Tx,
  ctx: CallContext,
  filter: BalanceTransactionFilter,
  page: PageRequest,
) {
  return listBalanceTransactionsByAccount(tx, ctx.accountId, filter, page);
}

interface BalanceFunds {
  amount: number;
  currency: string;
  source_types: { card: number };
}

/** Currency shown for an account that has never moved money, as Stripe shows its default. */
const DEFAULT_CURRENCY = 'usd';

/**
 * The account's balance: per currency, the sum of balance transaction nets already available
 * at the request's time and the sum still pending. It is computed from the balance
 * transactions, never kept as a running total, and checked against the ledger.
 * @throws AssertionError when the ledger's merchant balance disagrees with the transactions.
 */
export async function retrieveBalance(tx: Tx, ctx: CallContext) {
  const sums = await sumNetsByAccountAndStatus(tx, ctx.accountId, ctx.now);
  const ledger = await sumLedgerEntriesByAccount(tx, ctx.accountId);
  for (const { currency, available, pending } of sums) {
    const merchant = ledger.find(
      (l) => l.currency === currency && l.ledgerAccount === 'merchant_balance',
    );
    assert(
      (merchant?.total ?? 0) === available + pending,
      `ledger and balance differ in ${currency}`,
    );
  }

  const rows = sums.length > 0 ? sums : [{ currency: DEFAULT_CURRENCY, available: 0, pending: 0 }];
  const funds = (amount: number, currency: string): BalanceFunds => ({
    amount,
    currency,
    source_types: { card: amount },
  });
  return {
    object: 'balance' as const,
    available: rows.map((r) => funds(r.available, r.currency)),
    pending: rows.map((r) => funds(r.pending, r.currency)),
    livemode: false,
  };
}
