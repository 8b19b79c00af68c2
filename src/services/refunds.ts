import { assert } from '../domain/assert.js';
import { errors } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { mergeMetadata } from '../domain/metadata.js';
import { planRefund, type RefundPlan } from '../domain/refund.js';
import {
  findChargeByAccountAndId,
  updateChargeIfVersion,
  type ChargeRow,
} from '../store/repositories/charges.js';
import { insertCustomerTransaction } from '../store/repositories/customer-transactions.js';
import { findPaymentIntentByAccountAndId } from '../store/repositories/payment-intents.js';
import {
  findRefundByAccountAndId,
  findSucceededChargeOfIntent,
  insertRefund,
  listRefundsByAccount,
  updateRefundByAccountAndId,
  type RefundFilter,
  type RefundRow,
} from '../store/repositories/refunds.js';
import type { PageRequest } from '../store/pagination.js';
import type { Tx } from '../store/schema.js';
import { chargeToWire } from '../wire/charges.js';
import { refundToWire } from '../wire/refunds.js';
import { releaseCharge } from './charges.js';
import type { CallContext } from './context.js';
import { emitEvent, previousAttributes } from './events.js';
import { recordRefund } from './ledger.js';
import { cancelPaymentIntent } from './payment-intents.js';

export interface RefundInput {
  charge?: string;
  payment_intent?: string;
  amount?: number;
  reason?: string | null;
  metadata?: Record<string, unknown> | '';
}

/** Tries of the compare-and-set on the charge before answering lock_timeout (PostgreSQL only). */
const MAX_CHARGE_UPDATES = 5;

/** The charge a refund request names, directly or through its payment intent. */
async function chargeToRefund(tx: Tx, ctx: CallContext, input: RefundInput): Promise<ChargeRow> {
  if (input.charge !== undefined && input.payment_intent !== undefined) {
    throw errors.parametersExclusive('charge', 'payment_intent');
  }
  if (input.charge !== undefined) {
    const charge = await findChargeByAccountAndId(tx, ctx.accountId, input.charge);
    if (!charge) throw errors.resourceMissing('charge', input.charge, 'charge', 400);
    return charge;
  }
  if (input.payment_intent === undefined) throw errors.parameterMissing('charge');
  const intent = await findPaymentIntentByAccountAndId(tx, ctx.accountId, input.payment_intent);
  if (!intent) {
    throw errors.resourceMissing('payment_intent', input.payment_intent, 'payment_intent', 400);
  }
  const charge = await findSucceededChargeOfIntent(tx, ctx.accountId, intent.id);
  if (!charge) {
    throw errors.invalidRequest(
      `PaymentIntent ${intent.id} does not have a successful charge to refund.`,
      'payment_intent',
    );
  }
  return charge;
}

function planFor(charge: ChargeRow, amount: number | undefined): RefundPlan {
  return planRefund(
    {
      id: charge.id,
      status: charge.status,
      captured: charge.captured === 1,
      refunded: charge.refunded === 1,
      amount: charge.amount,
      amountCaptured: charge.amount_captured,
      amountRefunded: charge.amount_refunded,
      currency: charge.currency,
    },
    amount,
  );
}

/**
 * Adds `amount` to the charge's refunded total by compare-and-set on its version. A concurrent
 * refund that won in between (PostgreSQL, read committed) makes us re-read and re-check, so the
 * sum of refunds never exceeds what was captured.
 */
async function applyRefundToCharge(
  tx: Tx,
  ctx: CallContext,
  charge: ChargeRow,
  requested: number | undefined,
): Promise<{ before: ChargeRow; after: ChargeRow; plan: RefundPlan }> {
  let before = charge;
  for (let attempt = 1; attempt <= MAX_CHARGE_UPDATES; attempt++) {
    const plan = planFor(before, requested);
    if (plan.kind === 'release') return { before, after: before, plan };
    const amountRefunded = before.amount_refunded + plan.amount;
    const after = await updateChargeIfVersion(tx, ctx.accountId, before.id, before.version, {
      amount_refunded: amountRefunded,
      refunded: amountRefunded === before.amount_captured ? 1 : 0,
    });
    if (after) {
      assert(after.amount_refunded <= after.amount_captured, 'refunded more than captured');
      return { before, after, plan };
    }
    const reread = await findChargeByAccountAndId(tx, ctx.accountId, before.id);
    if (!reread) throw errors.resourceMissing('charge', before.id, 'charge', 400);
    before = reread;
  }
  throw errors.lockTimeout();
}

/**
 * Lets an uncaptured authorisation go as a refund of its whole amount: the intent is canceled
 * (which releases the charge), and no money moves, so there is no balance transaction.
 */
async function releaseForRefund(tx: Tx, ctx: CallContext, charge: ChargeRow): Promise<ChargeRow> {
  if (charge.payment_intent_id) {
    await cancelPaymentIntent(tx, ctx, charge.payment_intent_id, { cancellation_reason: null });
  } else {
    await releaseCharge(tx, ctx, charge);
  }
  const after = await findChargeByAccountAndId(tx, ctx.accountId, charge.id);
  if (!after) throw errors.resourceMissing('charge', charge.id, 'charge', 400);
  return after;
}

/**
 * Refunds a charge (Stripe §15), all effects in the caller's transaction: the refund, the
 * charge's refunded total, for captured money a balance transaction with its ledger posting and
 * a negative line in the customer's history, and the events charge.refunded and refund.created.
 * @throws ApiError per planRefund, resource_missing for unknown charges or intents.
 */
export async function createRefund(
  tx: Tx,
  ctx: CallContext,
  input: RefundInput,
): Promise<RefundRow> {
  const charge = await chargeToRefund(tx, ctx, input);
  const metadata = JSON.stringify(mergeMetadata({}, input.metadata));

  const applied = await applyRefundToCharge(tx, ctx, charge, input.amount);
  const { before, plan } = applied;
  const after = plan.kind === 'release' ? await releaseForRefund(tx, ctx, before) : applied.after;

  const refund = {
    id: newId('re'),
    account_id: ctx.accountId,
    created: ctx.now,
    amount: plan.amount,
    currency: charge.currency,
    charge_id: charge.id,
    payment_intent_id: charge.payment_intent_id,
    reason: input.reason ?? null,
    status: 'succeeded',
    failure_reason: null,
    balance_transaction_id: null as string | null,
    metadata,
  };
  if (plan.kind === 'refund') refund.balance_transaction_id = await recordRefund(tx, ctx, refund);
  const inserted = await insertRefund(tx, refund);

  if (plan.kind === 'refund' && charge.customer_id) {
    await insertCustomerTransaction(tx, {
      id: newId('ctxn'),
      account_id: ctx.accountId,
      created: ctx.now,
      customer_id: charge.customer_id,
      type: 'refund',
      amount: -plan.amount,
      currency: charge.currency,
      status: 'succeeded',
      source_id: inserted.id,
    });
  }

  const afterWire = chargeToWire(after);
  await emitEvent(
    tx,
    ctx,
    'charge.refunded',
    afterWire,
    previousAttributes(chargeToWire(before), afterWire),
  );
  await emitEvent(tx, ctx, 'refund.created', refundToWire(inserted));
  return inserted;
}

export async function retrieveRefund(tx: Tx, ctx: CallContext, id: string): Promise<RefundRow> {
  const row = await findRefundByAccountAndId(tx, ctx.accountId, id);
  if (!row) throw errors.resourceMissing('refund', id);
  return row;
}

/**
 * Updates a refund's metadata (the only field that may change); emits refund.updated and
 * charge.refund.updated.
 */
export async function updateRefund(
  tx: Tx,
  ctx: CallContext,
  id: string,
  input: { metadata?: Record<string, unknown> | '' },
): Promise<RefundRow> {
  // Locked until commit, so that concurrent metadata merges apply one after the other.
  const before = await findRefundByAccountAndId(tx, ctx.accountId, id, { lock: true });
  if (!before) throw errors.resourceMissing('refund', id);
  if (input.metadata === undefined) return before;
  const metadata = mergeMetadata(JSON.parse(before.metadata), input.metadata);

  const after = await updateRefundByAccountAndId(tx, ctx.accountId, id, {
    metadata: JSON.stringify(metadata),
  });
  if (!after) throw errors.resourceMissing('refund', id);
  const previous = previousAttributes(refundToWire(before), refundToWire(after));
  if (Object.keys(previous).length > 0) {
    // Stripe announces a refund's change both as itself and as part of its charge.
    await emitEvent(tx, ctx, 'refund.updated', refundToWire(after), previous);
    await emitEvent(tx, ctx, 'charge.refund.updated', refundToWire(after), previous);
  }
  return after;
}

export function listRefunds(tx: Tx, ctx: CallContext, filter: RefundFilter, page: PageRequest) {
  return listRefundsByAccount(tx, ctx.accountId, filter, page);
}

/** A charge of this account named in a URL path (legacy /v1/charges/:id/refunds). */
export async function requireChargeForPath(tx: Tx, ctx: CallContext, id: string) {
  const charge = await findChargeByAccountAndId(tx, ctx.accountId, id);
  if (!charge) throw errors.resourceMissing('charge', id);
  return charge;
}
