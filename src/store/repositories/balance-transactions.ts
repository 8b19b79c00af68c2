import type { Selectable } from 'kysely';
import type { LedgerEntry } from '../../domain/ledger.js';
import type { BalanceTransactionsTable, Tx } from '../schema.js';
import { paginate, whereCreated, type CreatedRange, type PageRequest } from '../pagination.js';

export type BalanceTransactionRow = Selectable<BalanceTransactionsTable>;

export function findBalanceTransactionByAccountAndId(tx: Tx, accountId: string, id: string) {
  return tx
    .selectFrom('balance_transactions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertBalanceTransaction(
  tx: Tx,
  row: Omit<BalanceTransactionRow, 'seq'>,
): Promise<BalanceTransactionRow> {
  return tx.insertInto('balance_transactions').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Writes one posting's entries; the caller has checked that they balance. */
export async function insertLedgerEntries(
  tx: Tx,
  accountId: string,
  postingId: string,
  created: number,
  entries: readonly LedgerEntry[],
): Promise<void> {
  await tx
    .insertInto('ledger_entries')
    .values(
      entries.map((entry) => ({
        account_id: accountId,
        created,
        posting_id: postingId,
        ledger_account: entry.ledgerAccount,
        currency: entry.currency,
        amount: entry.amount,
      })),
    )
    .execute();
}

export interface BalanceTransactionFilter {
  type?: string;
  source?: string;
  currency?: string;
  created?: CreatedRange;
}

export function listBalanceTransactionsByAccount(
  tx: Tx,
  accountId: string,
  filter: BalanceTransactionFilter,
  page: PageRequest,
) {
  return paginate<BalanceTransactionRow>(tx, 'balance_transactions', accountId, page, (q) => {
    if (filter.type !== undefined) q = q.where('type', '=', filter.type);
    if (filter.source !== undefined) q = q.where('source_id', '=', filter.source);
    if (filter.currency !== undefined) q = q.where('currency', '=', filter.currency);
    return whereCreated(q, filter.created);
  });
}

export interface NetSums {
  currency: string;
  available: number;
  pending: number;
}

/** Per currency, the nets of balance transactions available at `now` and those still pending. */
export async function sumNetsByAccountAndStatus(
  tx: Tx,
  accountId: string,
  now: number,
): Promise<NetSums[]> {
  const rows = await tx
    .selectFrom('balance_transactions')
    .select((eb) => [
      'currency',
      eb.fn
        .sum<number>(eb.case().when('available_on', '<=', now).then(eb.ref('net')).else(0).end())
        .as('available'),
      eb.fn
        .sum<number>(eb.case().when('available_on', '>', now).then(eb.ref('net')).else(0).end())
        .as('pending'),
    ])
    .where('account_id', '=', accountId)
    .groupBy('currency')
    .orderBy('currency')
    .execute();
  return rows.map((r) => ({
    currency: r.currency,
    available: Number(r.available),
    pending: Number(r.pending),
  }));
}

/** Per currency and ledger account, the sum of this account's ledger entries. */
export async function sumLedgerEntriesByAccount(tx: Tx, accountId: string) {
  const rows = await tx
    .selectFrom('ledger_entries')
    .select((eb) => ['currency', 'ledger_account', eb.fn.sum<number>('amount').as('total')])
    .where('account_id', '=', accountId)
    .groupBy(['currency', 'ledger_account'])
    .execute();
  return rows.map((r) => ({
    currency: r.currency,
    ledgerAccount: r.ledger_account,
    total: Number(r.total),
  }));
}
