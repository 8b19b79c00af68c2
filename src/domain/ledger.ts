import { assert } from './assert.js';

/**
 * Double-entry postings. Every movement of money is a posting: a list of signed entries, one per
 * ledger account touched, that sums to zero in each currency. Ledger accounts of one Payrail
 * account:
 *
 * - `payer_funds`: money owed to or from card networks on payers' behalf. A capture draws on it
 *   (negative), a refund returns money to it (positive).
 * - `merchant_balance`: what the merchant holds; its sum per currency equals the sum of the
 *   balance transactions' nets (pending and available together).
 * - `processing_fees`: fees kept by the platform; refunds never return them.
 */
export type LedgerAccount = 'payer_funds' | 'merchant_balance' | 'processing_fees';

export interface LedgerEntry {
  ledgerAccount: LedgerAccount;
  currency: string;
  /** Signed minor units. */
  amount: number;
}

function isAmount(value: number, min = 0): boolean {
  return Number.isSafeInteger(value) && value >= min;
}

/**
 * Checks that `entries` form a balanced posting: safe integers summing to zero per currency.
 * @throws AssertionError otherwise.
 */
export function assertBalanced(entries: readonly LedgerEntry[]): void {
  assert(entries.length >= 2, 'a posting needs at least two entries');
  const sums = new Map<string, number>();
  for (const entry of entries) {
    assert(Number.isSafeInteger(entry.amount), 'ledger amounts must be safe integers');
    sums.set(entry.currency, (sums.get(entry.currency) ?? 0) + entry.amount);
  }
  for (const [currency, sum] of sums) assert(sum === 0, `posting in ${currency} sums to ${sum}`);
}

/**
 * The posting of a captured charge: the payer's money comes in, the fee goes to
 * `processing_fees` and the rest to the merchant. Entries of zero are left out.
 * @throws AssertionError unless 0 ≤ fee ≤ amountCaptured.
 */
export function chargeCapturedPosting(
  currency: string,
  amountCaptured: number,
  fee: number,
): LedgerEntry[] {
  assert(isAmount(amountCaptured, 1), 'captured amount must be a positive safe integer');
  assert(isAmount(fee) && fee <= amountCaptured, 'fee must be between 0 and the amount');
  const entries: LedgerEntry[] = [
    { ledgerAccount: 'payer_funds', currency, amount: -amountCaptured },
    { ledgerAccount: 'merchant_balance', currency, amount: amountCaptured - fee },
  ];
  if (fee > 0) entries.push({ ledgerAccount: 'processing_fees', currency, amount: fee });
  assertBalanced(entries);
  return entries;
}

/**
 * The posting of a refund: the merchant pays the whole refunded amount back to the payer; the
 * processing fee of the original charge is not returned.
 * @throws AssertionError unless the amount is a positive safe integer.
 */
export function refundPosting(currency: string, amount: number): LedgerEntry[] {
  assert(isAmount(amount, 1), 'refund amount must be a positive safe integer');
  const entries: LedgerEntry[] = [
    { ledgerAccount: 'merchant_balance', currency, amount: -amount },
    { ledgerAccount: 'payer_funds', currency, amount },
  ];
  assertBalanced(entries);
  return entries;
}
