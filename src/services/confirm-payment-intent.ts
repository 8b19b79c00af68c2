import { errors } from '../domain/errors.js';
import { assertTransition } from '../domain/payment-intent.js';
import { hasSetupPaymentByPaymentMethod } from '../store/repositories/charges.js';
import {
  findPaymentIntentByAccountAndId,
  type PaymentIntentRow,
} from '../store/repositories/payment-intents.js';
import type { Tx } from '../store/schema.js';
import { paymentIntentToWire } from '../wire/payment-intents.js';
import type { CallContext, Services } from './context.js';
import {
  applyAttempt,
  type AttemptPlan,
  type AttemptResult,
  type IntentPatch,
} from './payment-attempts.js';
import {
  checkCard,
  newCardPaymentMethodRow,
  testCardFor,
  type BillingDetailsInput,
  type CheckedCard,
  type NewCardExtras,
} from './payment-method-cards.js';
import { resolvePaymentMethod, type CardInput, type PaymentMethodRow } from './payment-methods.js';

/** Parameters of a confirm, also accepted by create with confirm=true. */
export interface ConfirmInput {
  payment_method?: string | null;
  payment_method_data?: {
    type?: string | null;
    card?: CardInput | null;
    billing_details?: BillingDetailsInput | null;
  } | null;
  return_url?: string | null;
  off_session?: boolean;
  error_on_requires_action?: boolean;
  receipt_email?: string | null;
  setup_future_usage?: 'on_session' | 'off_session' | null;
  shipping?: Record<string, unknown> | null;
  capture_method?: 'automatic' | 'automatic_async' | 'manual';
}

/** What an attempt is for: the intent's money and who pays. */
export interface AttemptTarget {
  amount: number;
  currency: string;
  customerId: string | null;
  /** The intent's payment method, used when the call supplies none. */
  paymentMethodId: string | null;
  /** Set when the payer already finished 3-D Secure for `paymentMethodId`. */
  authenticated: boolean;
}

/** A confirm decided by the processor, waiting for its transaction. */
export interface ConfirmPlan extends AttemptPlan {
  intentId: string;
  version: number;
  patch: IntentPatch;
}

/** The payment method of an attempt, and whether it is new (not yet written). */
interface AttemptPaymentMethod {
  paymentMethod: PaymentMethodRow;
  isNew: boolean;
}

/**
 * The payment method an attempt uses: the one supplied now (an id, a test card name or raw card
 * data) or the one already on the intent. A new one (from a test card name, as Stripe makes a
 * payment method of `pm_card_visa`, or from card data) is only built here: it is written in the
 * attempt's own transaction, so a one-request payment commits once and a refused attempt
 * leaves no payment method behind.
 */
async function paymentMethodForAttempt(
  services: Services,
  ctx: CallContext,
  input: ConfirmInput,
  target: AttemptTarget,
): Promise<AttemptPaymentMethod> {
  const { store } = services;
  const reference = input.payment_method ?? target.paymentMethodId!;
  let chosen: AttemptPaymentMethod;
  if (input.payment_method_data && !input.payment_method) {
    const card = input.payment_method_data.card;
    if (input.payment_method_data.type !== 'card') {
      throw errors.invalidRequest(
        'Invalid payment_method_data[type]: only card is supported.',
        'payment_method_data[type]',
      );
    }
    if (!card) throw errors.parameterMissing('payment_method_data[card]');
    if (!card.number) throw errors.parameterMissing('payment_method_data[card][number]');
    const extras = { billing_details: input.payment_method_data.billing_details ?? null };
    chosen = {
      paymentMethod: unsaved(ctx, services, checkCard(card, ctx.now), extras),
      isNew: true,
    };
  } else {
    const testCard = testCardFor(reference, ctx.now);
    chosen = testCard
      ? { paymentMethod: unsaved(ctx, services, testCard), isNew: true }
      : {
          paymentMethod: await resolvePaymentMethod(
            store.db,
            ctx,
            services,
            reference,
            'payment_method',
          ),
          isNew: false,
        };
  }
  const pm = chosen.paymentMethod;
  if (pm.customer_id && pm.customer_id !== target.customerId) {
    throw errors.invalidRequest(
      `The provided PaymentMethod ${pm.id} is attached to another customer than the one on ` +
        'this PaymentIntent.',
      'payment_method',
    );
  }
  return chosen;
}

/** A payment method row not yet inserted (its `seq` is assigned on insert). */
function unsaved(
  ctx: CallContext,
  services: Services,
  card: CheckedCard,
  extras: NewCardExtras = {},
): PaymentMethodRow {
  return { ...newCardPaymentMethodRow(ctx, services, card, extras), seq: 0 };
}

/** The payer's browser is sent to return_url after 3-D Secure: it must be an absolute URL. */
function checkReturnUrl(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    throw errors.invalidRequest(
      'Invalid URL: return_url must be an absolute http(s) URL.',
      'return_url',
    );
  }
}

/**
 * Resolves the payment method and asks the processor, outside any transaction.
 * @throws ApiError for a bad payment method (resource_missing, card errors from validation).
 */
export async function planAttempt(
  services: Services,
  ctx: CallContext,
  target: AttemptTarget,
  input: ConfirmInput,
): Promise<AttemptPlan> {
  if (input.return_url) checkReturnUrl(input.return_url);
  const { paymentMethod, isNew } = await paymentMethodForAttempt(services, ctx, input, target);
  const authenticated = target.authenticated && paymentMethod.id === target.paymentMethodId;
  const offSession = input.off_session === true;
  const setUpForOffSession =
    offSession &&
    (await hasSetupPaymentByPaymentMethod(services.store.db, ctx.accountId, paymentMethod.id));
  const authorization = await services.processor.authorize({
    amount: target.amount,
    currency: target.currency,
    scenario: paymentMethod.scenario,
    authenticated,
    offSession,
    setUpForOffSession,
  });
  return {
    paymentMethod,
    paymentMethodIsNew: isNew,
    authorization,
    authenticated,
    returnUrl: input.return_url ?? null,
    offSession,
    errorOnRequiresAction: input.error_on_requires_action === true,
  };
}

/** The fields a confirm call sets on the intent besides its status. */
function confirmPatch(input: ConfirmInput): IntentPatch {
  const patch: IntentPatch = {};
  if (input.receipt_email !== undefined) patch.receipt_email = input.receipt_email;
  if (input.setup_future_usage !== undefined) patch.setup_future_usage = input.setup_future_usage;
  if (input.shipping !== undefined) {
    patch.shipping = input.shipping === null ? null : JSON.stringify(input.shipping);
  }
  if (input.capture_method !== undefined) patch.capture_method = input.capture_method;
  return patch;
}

/** Loads an intent of this account or throws resource_missing (404). */
export async function requirePaymentIntent(
  tx: Tx,
  accountId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<PaymentIntentRow> {
  const row = await findPaymentIntentByAccountAndId(tx, accountId, id, options);
  if (!row) throw errors.resourceMissing('payment_intent', id);
  return row;
}

/**
 * First half of a confirm: checks the transition, resolves the payment method and lets the
 * processor decide. Runs before the transaction (see runMutation's prepare).
 * @throws ApiError payment_intent_unexpected_state, resource_missing, parameter errors.
 */
export async function planConfirm(
  services: Services,
  ctx: CallContext,
  id: string,
  input: ConfirmInput,
): Promise<ConfirmPlan> {
  const intent = await requirePaymentIntent(services.store.db, ctx.accountId, id);
  const supplied = Boolean(input.payment_method || input.payment_method_data);
  assertTransition(
    'confirm',
    intent.status as never,
    { hasPaymentMethod: supplied || intent.payment_method_id !== null },
    { payment_intent: paymentIntentToWire(intent) },
  );
  let plan: AttemptPlan;
  try {
    plan = await planAttempt(
      services,
      ctx,
      {
        amount: intent.amount,
        currency: intent.currency,
        customerId: intent.customer_id,
        paymentMethodId: intent.payment_method_id,
        authenticated: intent.authenticated === 1,
      },
      input,
    );
  } catch (error) {
    // A concurrent confirm may have finished in between and used up the payment method: the
    // intent's new state is the real reason, and Stripe reports the intent's state first.
    const current = await requirePaymentIntent(services.store.db, ctx.accountId, id);
    if (current.version !== intent.version) {
      assertTransition(
        'confirm',
        current.status as never,
        { hasPaymentMethod: true },
        { payment_intent: paymentIntentToWire(current) },
      );
    }
    throw error;
  }
  return { ...plan, intentId: id, version: intent.version, patch: confirmPatch(input) };
}

/**
 * Second half of a confirm, in the request's transaction: applies the plan if the intent is
 * still at the version the plan was made for, else payment_intent_unexpected_state.
 */
export async function confirmPaymentIntent(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  plan: ConfirmPlan,
): Promise<AttemptResult> {
  const intent = await requirePaymentIntent(tx, ctx.accountId, plan.intentId);
  // Applying to the version the processor judged keeps a concurrent confirm from charging twice.
  return applyAttempt(tx, ctx, services, { ...intent, version: plan.version }, plan, plan.patch);
}

export { confirmPatch };
