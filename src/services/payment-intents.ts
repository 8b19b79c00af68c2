import { assert } from '../domain/assert.js';
import { errors } from '../domain/errors.js';
import { newId, randomBase62 } from '../domain/ids.js';
import { mergeMetadata } from '../domain/metadata.js';
import { checkChargeAmount, parseCurrency } from '../domain/money.js';
import { assertTransition, type PaymentIntentStatus } from '../domain/payment-intent.js';
import {
  insertPaymentIntent,
  listPaymentIntentsByAccount,
  updatePaymentIntentInformation,
  type PaymentIntentFilter,
  type PaymentIntentRow,
} from '../store/repositories/payment-intents.js';
import type { PageRequest } from '../store/pagination.js';
import type { Tx } from '../store/schema.js';
import { paymentIntentToWire } from '../wire/payment-intents.js';
import {
  confirmPatch,
  planAttempt,
  requirePaymentIntent,
  type ConfirmInput,
} from './confirm-payment-intent.js';
import type { CallContext, Services } from './context.js';
import { requireCustomer } from './customers.js';
import { emitEvent } from './events.js';
import {
  applyAttempt,
  transitionIntent,
  type AttemptPlan,
  type AttemptResult,
  type IntentPatch,
} from './payment-attempts.js';
import { createCardPaymentMethod, resolvePaymentMethod } from './payment-methods.js';

export { requirePaymentIntent };
// Capture and cancel live in their own file; re-exported for callers written against this one.
export { cancelPaymentIntent, capturePaymentIntent } from './payment-intent-settlement.js';

/** Parameters of POST /v1/payment_intents (and, partly, of its update). */
export interface PaymentIntentInput extends ConfirmInput {
  amount?: number;
  currency?: string;
  customer?: string | null;
  confirmation_method?: 'automatic' | 'manual';
  confirm?: boolean;
  metadata?: Record<string, unknown> | '';
  description?: string | null;
  payment_method_types?: string[];
  statement_descriptor?: string | null;
  statement_descriptor_suffix?: string | null;
}

/** A create checked and, with confirm=true, decided by the processor. */
export interface CreatePlan {
  input: PaymentIntentInput;
  amount: number;
  currency: string;
  attempt?: AttemptPlan;
}

const CONFIRM_ONLY = ['return_url', 'off_session', 'error_on_requires_action'] as const;

function checkPaymentMethodTypes(types: string[] | undefined): void {
  const unsupported = types?.find((type) => type !== 'card');
  if (unsupported !== undefined) {
    throw errors.invalidRequest(
      `The payment method type "${unsupported}" is invalid. Payrail supports only card.`,
      'payment_method_types',
    );
  }
}

/**
 * Validates a create in Stripe's precedence (currency, amount, method types, confirm-only
 * parameters, customer, payment method) and, for confirm=true, plans the attempt before the
 * transaction opens.
 */
export async function planCreate(
  services: Services,
  ctx: CallContext,
  input: PaymentIntentInput,
): Promise<CreatePlan> {
  const currency = parseCurrency(input.currency!);
  const amount = input.amount!;
  checkChargeAmount(amount, currency);
  checkPaymentMethodTypes(input.payment_method_types);
  if (!input.confirm) {
    const misplaced = CONFIRM_ONLY.find((param) => input[param] !== undefined);
    if (misplaced) {
      throw errors.invalidRequest(`You can only pass ${misplaced} when confirm=true.`, misplaced);
    }
  }
  if (input.payment_method && input.payment_method_data) {
    throw errors.parametersExclusive('payment_method', 'payment_method_data');
  }
  if (input.customer)
    await requireCustomer(services.store.db, ctx.accountId, input.customer, 'customer');
  if (!input.confirm) return { input, amount, currency };

  const supplied = Boolean(input.payment_method || input.payment_method_data);
  assertTransition('confirm', 'requires_payment_method', { hasPaymentMethod: supplied });
  const attempt = await planAttempt(
    services,
    ctx,
    {
      amount,
      currency,
      customerId: input.customer ?? null,
      paymentMethodId: null,
      authenticated: false,
    },
    input,
  );
  return { input, amount, currency, attempt };
}

/** The payment method a create without confirm sets, made in its transaction; or null. */
async function paymentMethodForCreate(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  input: PaymentIntentInput,
): Promise<string | null> {
  if (input.payment_method) {
    return (await resolvePaymentMethod(tx, ctx, services, input.payment_method, 'payment_method'))
      .id;
  }
  if (!input.payment_method_data) return null;
  const card = input.payment_method_data.card;
  if (!card) throw errors.parameterMissing('payment_method_data[card]');
  const param = 'payment_method_data[card]';
  const extras = { billing_details: input.payment_method_data.billing_details ?? null };
  return (await createCardPaymentMethod(tx, ctx, services, card, param, extras)).id;
}

/** Creates the intent; with confirm=true the planned attempt is applied in the same transaction. */
export async function createPaymentIntent(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  plan: CreatePlan,
): Promise<AttemptResult> {
  const { input } = plan;
  if (input.customer) await requireCustomer(tx, ctx.accountId, input.customer, 'customer');
  const paymentMethodId = plan.attempt
    ? plan.attempt.paymentMethod.id
    : await paymentMethodForCreate(tx, ctx, services, input);
  const id = newId('pi');
  const status: PaymentIntentStatus = paymentMethodId
    ? 'requires_confirmation'
    : 'requires_payment_method';
  const intent = await insertPaymentIntent(tx, {
    id,
    account_id: ctx.accountId,
    created: ctx.now,
    amount: plan.amount,
    currency: plan.currency,
    status,
    customer_id: input.customer ?? null,
    payment_method_id: paymentMethodId,
    capture_method: input.capture_method ?? 'automatic',
    confirmation_method: input.confirmation_method ?? 'automatic',
    client_secret: `${id}_secret_${randomBase62(25)}`,
    amount_capturable: 0,
    amount_received: 0,
    canceled_at: null,
    cancellation_reason: null,
    description: input.description ?? null,
    metadata: JSON.stringify(mergeMetadata({}, input.metadata)),
    last_payment_error: null,
    latest_charge_id: null,
    next_action: null,
    return_url: input.return_url ?? null,
    payment_method_types: JSON.stringify(input.payment_method_types ?? ['card']),
    receipt_email: input.receipt_email ?? null,
    setup_future_usage: input.setup_future_usage ?? null,
    shipping: input.shipping ? JSON.stringify(input.shipping) : null,
    statement_descriptor: input.statement_descriptor ?? null,
    statement_descriptor_suffix: input.statement_descriptor_suffix ?? null,
    version: 0,
  });
  await emitEvent(tx, ctx, 'payment_intent.created', paymentIntentToWire(intent));
  if (!plan.attempt) return { intent };
  return applyAttempt(tx, ctx, services, intent, plan.attempt);
}

export async function retrievePaymentIntent(
  tx: Tx,
  ctx: CallContext,
  id: string,
): Promise<PaymentIntentRow> {
  return requirePaymentIntent(tx, ctx.accountId, id);
}

/** Fields whose change reshapes the payment, allowed only before it is authorised (§4.3). */
const PAYMENT_DETAILS = [
  'amount',
  'currency',
  'payment_method',
  'capture_method',
  'customer',
  'payment_method_types',
] as const;

/**
 * Updates an intent. Changing payment details is allowed only before authorisation and sends an
 * intent waiting for action back to requires_confirmation; any update clears last_payment_error.
 */
export async function updatePaymentIntent(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  id: string,
  input: PaymentIntentInput,
): Promise<PaymentIntentRow> {
  // Locked until commit: concurrent updates (metadata merges) apply one after the other
  // instead of the later one failing the compare-and-set with unexpected_state.
  const intent = await requirePaymentIntent(tx, ctx.accountId, id, { lock: true });
  const reshapes = PAYMENT_DETAILS.some((field) => input[field] !== undefined);
  assertTransition(
    reshapes ? 'update_payment_details' : 'update_information',
    intent.status as PaymentIntentStatus,
    {},
    { payment_intent: paymentIntentToWire(intent) },
  );

  const patch = await paymentDetailsPatch(tx, ctx, services, intent, input);
  Object.assign(patch, confirmPatch({ ...input, capture_method: undefined }));
  if (input.description !== undefined) patch.description = input.description;
  if (input.statement_descriptor !== undefined)
    patch.statement_descriptor = input.statement_descriptor;
  if (input.statement_descriptor_suffix !== undefined) {
    patch.statement_descriptor_suffix = input.statement_descriptor_suffix;
  }
  if (input.metadata !== undefined) {
    patch.metadata = JSON.stringify(mergeMetadata(JSON.parse(intent.metadata), input.metadata));
  }
  patch.last_payment_error = null;
  if (reshapes) return transitionIntent(tx, ctx, intent, 'update_information', patch);
  // Only information changed: a confirm planned against this version must still apply.
  const after = await updatePaymentIntentInformation(tx, ctx.accountId, id, patch);
  assert(after, `payment intent ${id} vanished under its row lock`);
  return after;
}

async function paymentDetailsPatch(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  intent: PaymentIntentRow,
  input: PaymentIntentInput,
): Promise<IntentPatch> {
  const patch: IntentPatch = {};
  const currency = input.currency ? parseCurrency(input.currency) : intent.currency;
  if (input.amount !== undefined || input.currency !== undefined) {
    checkChargeAmount(input.amount ?? intent.amount, currency);
    patch.amount = input.amount ?? intent.amount;
    patch.currency = currency;
  }
  checkPaymentMethodTypes(input.payment_method_types);
  if (input.payment_method_types)
    patch.payment_method_types = JSON.stringify(input.payment_method_types);
  if (input.capture_method !== undefined) patch.capture_method = input.capture_method;
  if (input.customer !== undefined) {
    if (input.customer) await requireCustomer(tx, ctx.accountId, input.customer, 'customer');
    patch.customer_id = input.customer;
  }
  if (input.payment_method !== undefined) {
    patch.payment_method_id = input.payment_method
      ? (await resolvePaymentMethod(tx, ctx, services, input.payment_method, 'payment_method')).id
      : null;
    patch.authenticated = 0;
  }
  if (Object.keys(patch).length === 0) return patch;
  const hasPaymentMethod = (patch.payment_method_id ?? intent.payment_method_id) !== null;
  if (input.payment_method !== undefined || intent.status === 'requires_action') {
    patch.status = hasPaymentMethod ? 'requires_confirmation' : 'requires_payment_method';
    patch.next_action = null;
  }
  return patch;
}

export function listPaymentIntents(
  tx: Tx,
  ctx: CallContext,
  filter: PaymentIntentFilter,
  page: PageRequest,
) {
  return listPaymentIntentsByAccount(tx, ctx.accountId, filter, page);
}
