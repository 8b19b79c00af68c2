import type { Selectable } from 'kysely';
import { assert } from '../domain/assert.js';
import { processingFee } from '../domain/fees.js';
import { newId } from '../domain/ids.js';
import { chargeCapturedPosting, refundPosting, type LedgerEntry } from '../domain/ledger.js';
import {
  insertBalanceTransaction,
  insertLedgerEntries,
  type BalanceTransactionRow,
} from '../store/repositories/balance-transactions.js';
import type { ChargesTable, RefundsTable, Tx } from '../store/schema.js';
import type { CallContext } from './context.js';

export type ChargeRow = Selectable<ChargesTable>;
export type RefundRow = Selectable<RefundsTable>;

async function loadFeeSettings(tx: Tx, accountId: string) {
  const account = await tx
    .selectFrom('accounts')
    .select(['fee_rate_bps', 'fee_fixed', 'payout_delay_seconds'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  assert(account, `account ${accountId} of an authenticated request must exist`);
  return account;
}

/**
 * Writes a balance transaction and its posting together: no balance moves without both. The
 * posting's id is the balance transaction's id.
 */
async function recordMovement(
  tx: Tx,
  ctx: CallContext,
  row: Omit<BalanceTransactionRow, 'seq' | 'id' | 'account_id' | 'created'>,
  entries: LedgerEntry[],
): Promise<BalanceTransactionRow> {
  assert(row.net === row.amount - row.fee, 'balance transaction net must be amount − fee');
  const merchantShare = entries
    .filter((e) => e.ledgerAccount === 'merchant_balance')
    .reduce((sum, e) => sum + e.amount, 0);
  assert(merchantShare === row.net, "the posting must move the merchant's balance by net");

  const inserted = await insertBalanceTransaction(tx, {
    ...row,
    id: newId('txn'),
    account_id: ctx.accountId,
    created: ctx.now,
  });
  await insertLedgerEntries(tx, ctx.accountId, inserted.id, ctx.now, entries);
  return inserted;
}

/**
 * Records the money a captured charge moved: its balance transaction (fee, net, available_on)
 * and the balanced ledger posting, in the caller's transaction. Returns the balance
 * transaction's id, for `charge.balance_transaction`. Funds become available after the
 * account's payout delay, or at once for `bypassPending` (test card 4000000000000077).
 * @throws AssertionError when the charge has captured nothing.
 */
export async function recordChargeCaptured(
  tx: Tx,
  ctx: CallContext,
  charge: ChargeRow,
  options: { bypassPending: boolean },
): Promise<string | null> {
  assert(charge.account_id === ctx.accountId, 'charge belongs to another account');
  assert(charge.amount_captured > 0, 'only a charge that captured money has a balance transaction');
  assert(charge.amount_captured <= charge.amount, 'captured more than the charge amount');

  const settings = await loadFeeSettings(tx, ctx.accountId);
  const { fee, net } = processingFee(charge.amount_captured, charge.currency, {
    rateBps: settings.fee_rate_bps,
    fixed: settings.fee_fixed,
  });
  const feeDetails = [
    {
      amount: fee,
      application: null,
      currency: charge.currency,
      description: 'Stripe processing fees',
      type: 'stripe_fee',
    },
  ];
  const row = await recordMovement(
    tx,
    ctx,
    {
      amount: charge.amount_captured,
      fee,
      net,
      currency: charge.currency,
      type: 'charge',
      reporting_category: 'charge',
      source_id: charge.id,
      description: charge.description,
      fee_details: JSON.stringify(feeDetails),
      available_on: options.bypassPending ? ctx.now : ctx.now + settings.payout_delay_seconds,
    },
    chargeCapturedPosting(charge.currency, charge.amount_captured, fee),
  );
  return row.id;
}

/**
 * Records the money a refund moved: a balance transaction of −amount with no fee (the charge's
 * fee is not returned), available at once, and its posting, in the caller's transaction.
 * Returns the balance transaction's id, for `refund.balance_transaction`.
 * @throws AssertionError unless the refund is positive and of this account.
 */
export async function recordRefund(
  tx: Tx,
  ctx: CallContext,
  refund: Pick<RefundRow, 'id' | 'account_id' | 'amount' | 'currency'>,
): Promise<string> {
  assert(refund.account_id === ctx.accountId, 'refund belongs to another account');
  assert(refund.amount > 0, 'refund amount must be positive');

  const row = await recordMovement(
    tx,
    ctx,
    {
      amount: -refund.amount,
      fee: 0,
      net: -refund.amount,
      currency: refund.currency,
      type: 'refund',
      reporting_category: 'refund',
      source_id: refund.id,
      description: 'REFUND FOR CHARGE',
      fee_details: '[]',
      available_on: ctx.now,
    },
    refundPosting(refund.currency, refund.amount),
  );
  return row.id;
}
