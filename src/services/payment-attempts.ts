import { ApiError, errors } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { statusAfterAttempt, transitionRefusal, type Operation } from '../domain/payment-intent.js';
import type { AuthorizationResult } from '../processor/processor.js';
import {
  findPaymentIntentByAccountAndId,
  updatePaymentIntentIfVersion,
  type PaymentIntentRow,
} from '../store/repositories/payment-intents.js';
import { insertPaymentMethod } from '../store/repositories/payment-methods.js';
import type { PaymentIntentsTable, Tx } from '../store/schema.js';
import { paymentMethodToWire } from '../wire/payment-methods.js';
import { paymentIntentToWire } from '../wire/payment-intents.js';
import { recordAttemptCharge, type ChargeResult, type Decline } from './charges.js';
import type { CallContext, Services } from './context.js';
import { emitEvent } from './events.js';
import {
  attachPaymentMethod,
  markPaymentMethodConsumed,
  type PaymentMethodRow,
} from './payment-methods.js';
import type { Updateable } from 'kysely';

/**
 * One payment attempt on an intent, in two halves: the processor's decision is made first,
 * outside any transaction (plan), and then applied in the request's transaction (apply), as a
 * compare-and-set on the intent's version so that two concurrent attempts charge at most once.
 */
export interface AttemptPlan {
  paymentMethod: PaymentMethodRow;
  /** Built by the plan but not yet written: the attempt's transaction inserts it first. */
  paymentMethodIsNew?: boolean;
  authorization: AuthorizationResult;
  /** The payer finished 3-D Secure for this payment method. */
  authenticated: boolean;
  returnUrl: string | null;
  offSession: boolean;
  errorOnRequiresAction: boolean;
}

export type IntentPatch = Updateable<PaymentIntentsTable>;

/** The result of applying an attempt: the intent after it, and the 402 body of a decline. */
export interface AttemptResult {
  intent: PaymentIntentRow;
  declineBody?: { error: Record<string, unknown> };
}

/** Where the payer completes 3-D Secure: this server's page, proven by the client secret. */
export function authenticationUrl(services: Services, intent: PaymentIntentRow): string {
  const secret = encodeURIComponent(intent.client_secret);
  return `${services.publicUrl}/v1/3ds/${intent.id}?client_secret=${secret}`;
}

function nextActionFor(services: Services, intent: PaymentIntentRow, returnUrl: string | null) {
  const url = authenticationUrl(services, intent);
  if (returnUrl) {
    return { type: 'redirect_to_url', redirect_to_url: { url, return_url: returnUrl } };
  }
  return {
    type: 'use_stripe_sdk',
    use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: url, source: intent.id },
  };
}

/** §4.4: a payer who cannot authenticate now (off-session, or the caller forbids it) declines. */
function authenticationRequired(): Decline {
  return {
    kind: 'declined',
    code: 'authentication_required',
    declineCode: 'authentication_required',
    message: 'Your card was declined. This transaction requires authentication.',
    outcomeType: 'issuer_declined',
    riskScore: 0,
  };
}

/** The parameter a card error names, as Stripe's declines do for these codes. */
const DECLINE_PARAM: Record<string, string> = { expired_card: 'exp_month', incorrect_cvc: 'cvc' };

/**
 * Throws the refusal for an intent that changed between plan and apply: the compare-and-set
 * found another version, so another request moved it first.
 * @throws ApiError payment_intent_unexpected_state.
 */
export async function transitionLost(
  tx: Tx,
  ctx: CallContext,
  id: string,
  operation: Operation,
): Promise<never> {
  const current = await findPaymentIntentByAccountAndId(tx, ctx.accountId, id);
  if (!current) throw errors.resourceMissing('payment_intent', id);
  const refusal = transitionRefusal(operation, current.status as never, { hasPaymentMethod: true });
  throw errors.unexpectedState(
    refusal ??
      'This PaymentIntent was changed by another request while this one was being processed. ' +
        'Retrieve it and try again.',
    { payment_intent: paymentIntentToWire(current) },
  );
}

/** Compare-and-set of `patch` on the intent as it was read; a lost race is unexpected_state. */
export async function transitionIntent(
  tx: Tx,
  ctx: CallContext,
  intent: PaymentIntentRow,
  operation: Operation,
  patch: IntentPatch,
): Promise<PaymentIntentRow> {
  const after = await updatePaymentIntentIfVersion(
    tx,
    ctx.accountId,
    intent.id,
    intent.version,
    patch,
  );
  return after ?? transitionLost(tx, ctx, intent.id, operation);
}

/**
 * Applies a planned attempt to `intent` (read at the plan's version) with `basePatch` (fields the
 * confirm call also sets). Writes the charge, the history line and the events (§14.1 order).
 */
export async function applyAttempt(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  intent: PaymentIntentRow,
  plan: AttemptPlan,
  basePatch: IntentPatch = {},
): Promise<AttemptResult> {
  if (plan.paymentMethodIsNew) {
    const { seq: _unassigned, ...row } = plan.paymentMethod;
    await insertPaymentMethod(tx, row);
  }
  let result = plan.authorization;
  if (result.kind === 'requires_action' && (plan.offSession || plan.errorOnRequiresAction)) {
    result = authenticationRequired();
  }
  if (result.kind === 'requires_action') {
    const after = await transitionIntent(tx, ctx, intent, 'confirm', {
      ...basePatch,
      status: 'requires_action',
      payment_method_id: plan.paymentMethod.id,
      next_action: JSON.stringify(nextActionFor(services, intent, plan.returnUrl)),
      return_url: plan.returnUrl,
      last_payment_error: null,
      authenticated: 0,
    });
    await emitEvent(tx, ctx, 'payment_intent.requires_action', paymentIntentToWire(after));
    return { intent: after };
  }
  return result.kind === 'approved'
    ? applyApproval(tx, ctx, services, intent, plan, result, basePatch)
    : applyDecline(tx, ctx, intent, plan, result, basePatch);
}

/**
 * After a payment, a payment method without a customer is saved to the intent's customer when
 * the intent asked to set it up for future use, and is otherwise used up (Stripe refuses to
 * reuse it).
 */
async function settlePaymentMethod(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  intent: PaymentIntentRow,
  pm: PaymentMethodRow,
): Promise<void> {
  if (pm.customer_id) return;
  if (intent.setup_future_usage && intent.customer_id) {
    await attachPaymentMethod(tx, ctx, services, pm.id, intent.customer_id);
    return;
  }
  await markPaymentMethodConsumed(tx, ctx, pm.id);
}

async function applyApproval(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  intent: PaymentIntentRow,
  plan: AttemptPlan,
  result: ChargeResult,
  basePatch: IntentPatch,
): Promise<AttemptResult> {
  const chargeId = newId('ch');
  const captureMethod = (basePatch.capture_method ?? intent.capture_method) as 'manual';
  const status = statusAfterAttempt('approved', captureMethod);
  const amount = Number(basePatch.amount ?? intent.amount);
  const after = await transitionIntent(tx, ctx, intent, 'confirm', {
    ...basePatch,
    status,
    payment_method_id: plan.paymentMethod.id,
    latest_charge_id: chargeId,
    next_action: null,
    last_payment_error: null,
    authenticated: 0,
    amount_received: status === 'succeeded' ? amount : 0,
    amount_capturable: status === 'requires_capture' ? amount : 0,
  });
  await recordAttemptCharge(tx, ctx, {
    id: chargeId,
    intent: after,
    paymentMethod: plan.paymentMethod,
    result,
    capture: status === 'succeeded',
    authenticated: plan.authenticated,
  });
  await settlePaymentMethod(tx, ctx, services, after, plan.paymentMethod);
  const type =
    status === 'succeeded'
      ? 'payment_intent.succeeded'
      : 'payment_intent.amount_capturable_updated';
  await emitEvent(tx, ctx, type, paymentIntentToWire(after));
  return { intent: after };
}

async function applyDecline(
  tx: Tx,
  ctx: CallContext,
  intent: PaymentIntentRow,
  plan: AttemptPlan,
  result: Decline,
  basePatch: IntentPatch,
): Promise<AttemptResult> {
  const chargeId = newId('ch');
  const paymentMethod = paymentMethodWire(plan.paymentMethod);
  const error = new ApiError({
    type: 'card_error',
    status: 402,
    code: result.code,
    decline_code: result.declineCode,
    param: DECLINE_PARAM[result.code],
    message: result.message,
    extra: { charge: chargeId, payment_method: paymentMethod },
  });
  const lastPaymentError = error.toBody().error;
  const after = await transitionIntent(tx, ctx, intent, 'confirm', {
    ...basePatch,
    status: statusAfterAttempt('declined', intent.capture_method as 'manual'),
    payment_method_id: null,
    latest_charge_id: chargeId,
    next_action: null,
    last_payment_error: JSON.stringify(lastPaymentError),
    authenticated: 0,
  });
  await recordAttemptCharge(tx, ctx, {
    id: chargeId,
    intent: after,
    paymentMethod: plan.paymentMethod,
    result,
    capture: false,
    authenticated: plan.authenticated,
  });
  const wire = paymentIntentToWire(after);
  await emitEvent(tx, ctx, 'payment_intent.payment_failed', wire);
  return { intent: after, declineBody: { error: { ...lastPaymentError, payment_intent: wire } } };
}

/** The payment method as card errors carry it. */
export function paymentMethodWire(pm: PaymentMethodRow): Record<string, unknown> {
  return paymentMethodToWire(pm);
}
