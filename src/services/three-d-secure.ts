import { timingSafeEqual } from 'node:crypto';
import { ApiError, errors } from '../domain/errors.js';
import { assertTransition, authorizesOnAuthentication } from '../domain/payment-intent.js';
import {
  findPaymentIntentById,
  type PaymentIntentRow,
} from '../store/repositories/payment-intents.js';
import type { Tx } from '../store/schema.js';
import { paymentIntentToWire } from '../wire/payment-intents.js';
import { requirePaymentIntent } from './confirm-payment-intent.js';
import type { CallContext, Services } from './context.js';
import { emitEvent } from './events.js';
import {
  applyAttempt,
  paymentMethodWire,
  transitionIntent,
  type AttemptPlan,
  type AttemptResult,
} from './payment-attempts.js';
import { resolvePaymentMethod } from './payment-methods.js';

/** Whether `given` is the intent's client secret; compared in constant time. */
export function clientSecretMatches(intent: PaymentIntentRow, given: string | undefined): boolean {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(intent.client_secret);
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * The intent a 3-D Secure page request is about. The page has no API key: knowing the client
 * secret is the proof, and a wrong one answers like a missing intent.
 * @throws ApiError resource_missing (404).
 */
export async function findIntentForAuthentication(
  tx: Tx,
  id: string,
  clientSecret: string | undefined,
): Promise<PaymentIntentRow> {
  const intent = await findPaymentIntentById(tx, id);
  if (!intent || !clientSecretMatches(intent, clientSecret)) {
    throw errors.resourceMissing('payment_intent', id, 'client_secret');
  }
  return intent;
}

export type AuthenticationAction = 'complete' | 'fail';

/** The payer's answer on the page, decided by the processor where it authorises. */
export type AuthenticationPlan =
  | { kind: 'failed'; intentId: string; version: number }
  | { kind: 'reconfirm'; intentId: string; version: number }
  | { kind: 'authorize'; intentId: string; version: number; attempt: AttemptPlan };

/**
 * First half of finishing 3-D Secure, before the transaction: completing it re-runs the
 * authorisation as authenticated (automatic confirmation), or only marks the intent for the
 * server's next confirm (manual confirmation).
 * @throws ApiError payment_intent_unexpected_state unless the intent awaits authentication.
 */
export async function planAuthentication(
  services: Services,
  ctx: CallContext,
  intent: PaymentIntentRow,
  action: AuthenticationAction,
): Promise<AuthenticationPlan> {
  assertTransition('authenticate', intent.status as never, {}, {});
  const base = { intentId: intent.id, version: intent.version };
  if (action === 'fail') return { kind: 'failed', ...base };
  if (!authorizesOnAuthentication(intent.confirmation_method as 'manual')) {
    return { kind: 'reconfirm', ...base };
  }
  const paymentMethod = await resolvePaymentMethod(
    services.store.db,
    ctx,
    services,
    intent.payment_method_id!,
    'payment_method',
  );
  const authorization = await services.processor.authorize({
    amount: intent.amount,
    currency: intent.currency,
    scenario: paymentMethod.scenario,
    authenticated: true,
    offSession: false,
  });
  const attempt: AttemptPlan = {
    paymentMethod,
    authorization,
    authenticated: true,
    returnUrl: intent.return_url,
    offSession: false,
    errorOnRequiresAction: false,
  };
  return { kind: 'authorize', ...base, attempt };
}

/** Second half, in the transaction: the outcome applied as a compare-and-set on the version. */
export async function completeAuthentication(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  plan: AuthenticationPlan,
): Promise<AttemptResult> {
  const current = await requirePaymentIntent(tx, ctx.accountId, plan.intentId);
  const intent = { ...current, version: plan.version };
  if (plan.kind === 'authorize') return applyAttempt(tx, ctx, services, intent, plan.attempt);
  if (plan.kind === 'reconfirm') {
    const after = await transitionIntent(tx, ctx, intent, 'authenticate', {
      status: 'requires_confirmation',
      next_action: null,
      authenticated: 1,
    });
    return { intent: after };
  }
  return failAuthentication(tx, ctx, services, intent);
}

/** §4.4: a failed authentication sends the intent back for another payment method. */
async function failAuthentication(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  intent: PaymentIntentRow,
): Promise<AttemptResult> {
  const pm = await resolvePaymentMethod(
    tx,
    ctx,
    services,
    intent.payment_method_id!,
    'payment_method',
  );
  const error = new ApiError({
    type: 'invalid_request_error',
    status: 400,
    code: 'payment_intent_authentication_failure',
    message:
      'The provided PaymentMethod has failed authentication. You can provide payment_method_data ' +
      'or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
    extra: { payment_method: paymentMethodWire(pm) },
  });
  const after = await transitionIntent(tx, ctx, intent, 'authenticate', {
    status: 'requires_payment_method',
    payment_method_id: null,
    next_action: null,
    last_payment_error: JSON.stringify(error.toBody().error),
    authenticated: 0,
  });
  await emitEvent(tx, ctx, 'payment_intent.payment_failed', paymentIntentToWire(after));
  return { intent: after };
}
