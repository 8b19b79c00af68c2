import { assert } from '../domain/assert.js';
import { errors } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { mergeMetadata } from '../domain/metadata.js';
import type { AuthorizationResult } from '../processor/processor.js';
import {
  findChargeByAccountAndId,
  insertCharge,
  listChargesByAccount,
  updateChargeIfVersion,
  type ChargeFilter,
  type ChargeRow,
} from '../store/repositories/charges.js';
import {
  insertCustomerTransaction,
  updateCustomerTransactionBySource,
} from '../store/repositories/customer-transactions.js';
import type { PaymentIntentRow } from '../store/repositories/payment-intents.js';
import type { PageRequest } from '../store/pagination.js';
import type { Tx } from '../store/schema.js';
import { chargeToWire } from '../wire/charges.js';
import { cardDetailsForCharge } from '../wire/payment-methods.js';
import type { CallContext } from './context.js';
import { emitEvent, previousAttributes } from './events.js';
import { recordChargeCaptured } from './ledger.js';
import type { PaymentMethodRow } from './payment-methods.js';

/** A finished authorisation: approved, or declined (by the processor or the server's rules). */
export type ChargeResult = Exclude<AuthorizationResult, { kind: 'requires_action' }>;
export type Decline = Extract<AuthorizationResult, { kind: 'declined' }>;

function outcomeOf(result: ChargeResult): Record<string, unknown> {
  if (result.kind === 'approved') {
    return {
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: result.riskScore,
      seller_message: 'Payment complete.',
      type: 'authorized',
    };
  }
  if (result.outcomeType === 'blocked') {
    return {
      network_status: 'not_sent_to_network',
      reason: 'highest_risk_level',
      risk_level: 'highest',
      risk_score: result.riskScore,
      seller_message: 'Stripe blocked this payment as too risky.',
      type: 'blocked',
    };
  }
  return {
    network_status: 'declined_by_network',
    reason: result.declineCode ?? result.code,
    risk_level: 'normal',
    risk_score: result.riskScore,
    seller_message: 'The bank did not return any further details with this decline.',
    type: 'issuer_declined',
  };
}

function paymentMethodDetails(pm: PaymentMethodRow, authenticated: boolean) {
  return { type: 'card', card: cardDetailsForCharge(pm, { authenticated }) };
}

export interface AttemptCharge {
  id: string;
  intent: PaymentIntentRow;
  paymentMethod: PaymentMethodRow;
  result: ChargeResult;
  /** Capture at once (automatic capture) or only authorise (manual). */
  capture: boolean;
  authenticated: boolean;
}

/**
 * Records the charge of one payment attempt, approved or declined, with its line in the
 * customer's history, and for money captured at once its balance transaction. Emits
 * charge.succeeded or charge.failed.
 */
export async function recordAttemptCharge(
  tx: Tx,
  ctx: CallContext,
  attempt: AttemptCharge,
): Promise<ChargeRow> {
  const { intent, paymentMethod: pm, result } = attempt;
  const approved = result.kind === 'approved';
  const captured = approved && attempt.capture;
  let charge = await insertCharge(tx, {
    id: attempt.id,
    account_id: ctx.accountId,
    created: ctx.now,
    amount: intent.amount,
    amount_captured: captured ? intent.amount : 0,
    amount_refunded: 0,
    currency: intent.currency,
    status: approved ? 'succeeded' : 'failed',
    captured: captured ? 1 : 0,
    paid: approved ? 1 : 0,
    refunded: 0,
    customer_id: intent.customer_id,
    payment_intent_id: intent.id,
    payment_method_id: pm.id,
    balance_transaction_id: null,
    failure_code: result.kind === 'declined' ? result.code : null,
    failure_message: result.kind === 'declined' ? result.message : null,
    outcome: JSON.stringify(outcomeOf(result)),
    description: intent.description,
    metadata: '{}',
    billing_details: pm.billing_details,
    payment_method_details: JSON.stringify(paymentMethodDetails(pm, attempt.authenticated)),
    version: 0,
    bypass_pending: result.kind === 'approved' && result.bypassPending ? 1 : 0,
  });
  if (intent.customer_id) {
    await insertCustomerTransaction(tx, {
      id: newId('ctxn'),
      account_id: ctx.accountId,
      created: ctx.now,
      customer_id: intent.customer_id,
      type: 'payment',
      amount: charge.amount,
      currency: charge.currency,
      status: charge.status,
      source_id: charge.id,
    });
  }
  if (captured) charge = await attachBalanceTransaction(tx, ctx, charge);
  await emitEvent(tx, ctx, approved ? 'charge.succeeded' : 'charge.failed', chargeToWire(charge));
  return charge;
}

/** Asks the ledger for the captured charge's balance transaction and stores its id. */
async function attachBalanceTransaction(
  tx: Tx,
  ctx: CallContext,
  charge: ChargeRow,
): Promise<ChargeRow> {
  const bypassPending = charge.bypass_pending === 1;
  const balanceTransactionId = await recordChargeCaptured(tx, ctx, charge, { bypassPending });
  if (balanceTransactionId === null) return charge;
  return updateOrFail(tx, ctx, charge, { balance_transaction_id: balanceTransactionId });
}

async function updateOrFail(
  tx: Tx,
  ctx: CallContext,
  charge: ChargeRow,
  patch: Parameters<typeof updateChargeIfVersion>[4],
): Promise<ChargeRow> {
  const after = await updateChargeIfVersion(tx, ctx.accountId, charge.id, charge.version, patch);
  // Callers hold the charge's row lock (read with `lock`) or wrote it in this transaction, so
  // nobody else can be changing it now; losing here would be a bug.
  assert(after, `charge ${charge.id} changed under its payment intent's transition`);
  return after;
}

/** Captures `amount` of an authorised charge (§4.3). Emits charge.captured. */
export async function captureCharge(
  tx: Tx,
  ctx: CallContext,
  charge: ChargeRow,
  amount: number,
): Promise<ChargeRow> {
  assert(charge.status === 'succeeded' && charge.captured === 0, 'capture of a settled charge');
  assert(amount > 0 && amount <= charge.amount, 'capture amount outside the authorisation');
  // TODO: live Stripe records the released remainder of a partial capture as a refund
  // (amount_refunded = amount - captured); here the remainder is simply never captured, so
  // amount_refunded stays 0 and refunds count against amount_captured.
  let captured = await updateOrFail(tx, ctx, charge, { captured: 1, amount_captured: amount });
  captured = await attachBalanceTransaction(tx, ctx, captured);
  // The history shows money moved: a partial capture moved only what was captured.
  await updateCustomerTransactionBySource(tx, ctx.accountId, charge.id, {
    status: captured.status,
    amount,
  });
  await emitEvent(tx, ctx, 'charge.captured', chargeToWire(captured));
  return captured;
}

/** Releases an uncaptured authorisation (a canceled intent): the charge reads as refunded. */
export async function releaseCharge(
  tx: Tx,
  ctx: CallContext,
  charge: ChargeRow,
): Promise<ChargeRow> {
  assert(charge.captured === 0, 'release of a captured charge');
  // No money moved: the customer's history shows the authorisation as canceled.
  await updateCustomerTransactionBySource(tx, ctx.accountId, charge.id, { status: 'canceled' });
  return updateOrFail(tx, ctx, charge, { refunded: 1, amount_refunded: charge.amount });
}

export async function retrieveCharge(tx: Tx, ctx: CallContext, id: string): Promise<ChargeRow> {
  const row = await findChargeByAccountAndId(tx, ctx.accountId, id);
  if (!row) throw errors.resourceMissing('charge', id);
  return row;
}

export interface ChargeUpdate {
  description?: string | null;
  metadata?: Record<string, unknown> | '';
}

/** Updates a charge's description and metadata; emits charge.updated when something changed. */
export async function updateCharge(
  tx: Tx,
  ctx: CallContext,
  id: string,
  input: ChargeUpdate,
): Promise<ChargeRow> {
  const before = await retrieveCharge(tx, ctx, id);
  const patch: Parameters<typeof updateChargeIfVersion>[4] = {};
  if (input.description !== undefined) patch.description = input.description;
  if (input.metadata !== undefined) {
    patch.metadata = JSON.stringify(mergeMetadata(JSON.parse(before.metadata), input.metadata));
  }
  if (Object.keys(patch).length === 0) return before;

  const after = await updateChargeIfVersion(tx, ctx.accountId, id, before.version, patch);
  if (!after) throw errors.lockTimeout();
  const previous = previousAttributes(chargeToWire(before), chargeToWire(after));
  if (Object.keys(previous).length > 0) {
    await emitEvent(tx, ctx, 'charge.updated', chargeToWire(after), previous);
  }
  return after;
}

export function listCharges(tx: Tx, ctx: CallContext, filter: ChargeFilter, page: PageRequest) {
  return listChargesByAccount(tx, ctx.accountId, filter, page);
}
