import { assert } from '../domain/assert.js';
import { checkExpiry, normalizeExpYear } from '../domain/cards.js';
import { errors } from '../domain/errors.js';
import { mergeMetadata } from '../domain/metadata.js';
import type { PageRequest } from '../store/pagination.js';
import {
  attachPaymentMethodByAccountAndId,
  consumePaymentMethodByAccountAndId,
  detachPaymentMethodByAccountAndId,
  findPaymentMethodByAccountAndId,
  listPaymentMethodsByAccountAndCustomer,
  updatePaymentMethodByAccountAndId,
  type PaymentMethodRow,
} from '../store/repositories/payment-methods.js';
import type { Tx } from '../store/schema.js';
import { paymentMethodToWire } from '../wire/payment-methods.js';
import type { CallContext, Services } from './context.js';
import { findCustomerByAccountAndId } from '../store/repositories/customers.js';
import { requireCustomer, updateCustomer } from './customers.js';
import { emitEvent, previousAttributes } from './events.js';
import {
  checkCard,
  insertCardPaymentMethod,
  mergeBillingDetails,
  testCardFor,
  type BillingDetailsInput,
  type CardInput,
  type NewCardExtras,
} from './payment-method-cards.js';

export type { PaymentMethodRow } from '../store/repositories/payment-methods.js';
export type { BillingDetailsInput, CardInput } from './payment-method-cards.js';

/**
 * Creates a card payment method from raw details (`payment_method_data[card]`).
 * Card errors are 402s naming the card field (`number`, `exp_month`, `exp_year`, `cvc`) as
 * Stripe does; `param` is the prefix of the card hash in the request
 * (e.g. `payment_method_data[card]`) and is used for this function's parameter errors.
 */
export async function createCardPaymentMethod(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  card: CardInput,
  param: string,
  extras: NewCardExtras = {},
): Promise<PaymentMethodRow> {
  if (!card.number) throw errors.parameterMissing(`${param}[number]`);
  return insertCardPaymentMethod(tx, ctx, services, checkCard(card, ctx.now), extras);
}

const REUSE_MESSAGE =
  'The provided PaymentMethod was previously used with a PaymentIntent without Customer ' +
  'attachment, shared with a connected account without Customer attachment, or was detached ' +
  'from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must ' +
  'attach it to a Customer first.';

/** Refuses a payment method that was detached or used once without a customer. */
export function assertReusable(row: PaymentMethodRow, param: string): void {
  if (row.consumed) throw errors.paymentMethodUnexpectedState(REUSE_MESSAGE, param);
}

/**
 * A payment method of this account usable for a payment: a `pm_…` id (resource_missing on
 * `param` otherwise, and refused once detached), or a Stripe test name (`pm_card_visa`) or test
 * token (`tok_visa`), each use of which creates a new payment method.
 */
export async function resolvePaymentMethod(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  reference: string,
  param: string,
): Promise<PaymentMethodRow> {
  const test = testCardFor(reference, ctx.now);
  if (test) return insertCardPaymentMethod(tx, ctx, services, test);
  if (reference.startsWith('tok_')) throw errors.resourceMissing('token', reference, param, 400);

  const row = await findPaymentMethodByAccountAndId(tx, ctx.accountId, reference);
  if (!row) throw errors.resourceMissing('PaymentMethod', reference, param, 400);
  assertReusable(row, param);
  return row;
}

/**
 * Marks a payment method as used up (after a payment made without a customer). The payment was
 * planned outside the transaction, so another payment with the method (or an attach) may have
 * committed since: then this one is refused as a reuse, and its transaction rolls back.
 * @throws ApiError payment_method_unexpected_state when the method is no longer single-use.
 */
export async function markPaymentMethodConsumed(tx: Tx, ctx: CallContext, id: string) {
  const after = await consumePaymentMethodByAccountAndId(tx, ctx.accountId, id);
  if (!after) throw errors.paymentMethodUnexpectedState(REUSE_MESSAGE, 'payment_method');
}

export interface PaymentMethodInput extends NewCardExtras {
  type?: string | null;
  card?: Partial<CardInput> & { token?: string | null };
}

/** `prefix[name]`, or `name` at the top level: how parameters are named in errors. */
const nested = (prefix: string, name: string) => (prefix ? `${prefix}[${name}]` : name);

/**
 * A card payment method from raw details or from a test token: POST /v1/payment_methods, or
 * a payment intent's `payment_method_data` with `paramPrefix` `payment_method_data` (so that
 * errors name `payment_method_data[card][number]`).
 */
export async function createPaymentMethod(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  input: PaymentMethodInput,
  paramPrefix = '',
): Promise<PaymentMethodRow> {
  const cardParam = nested(paramPrefix, 'card');
  const card = input.card;
  if (!card) throw errors.parameterMissing(cardParam);
  if (card.token !== undefined && card.token !== null) {
    const tokenParam = `${cardParam}[token]`;
    if (card.number !== undefined || card.exp_month !== undefined || card.exp_year !== undefined) {
      throw errors.invalidRequest(
        `You cannot pass ${tokenParam} together with the card's number or expiry.`,
        tokenParam,
        'parameters_exclusive',
      );
    }
    const test = testCardFor(card.token, ctx.now);
    if (!test) throw errors.resourceMissing('token', card.token, tokenParam, 400);
    return insertCardPaymentMethod(tx, ctx, services, test, input);
  }
  for (const field of ['number', 'exp_month', 'exp_year'] as const) {
    if (card[field] === undefined || card[field] === null) {
      throw errors.parameterMissing(`${cardParam}[${field}]`);
    }
  }
  return createCardPaymentMethod(tx, ctx, services, card as CardInput, cardParam, input);
}

/** A payment method of this account, or 404 resource_missing. */
export async function retrievePaymentMethod(
  tx: Tx,
  ctx: CallContext,
  id: string,
  param = 'id',
  options: { lock?: boolean } = {},
) {
  const row = await findPaymentMethodByAccountAndId(tx, ctx.accountId, id, options);
  if (!row) throw errors.resourceMissing('PaymentMethod', id, param, param === 'id' ? 404 : 400);
  return row;
}

export interface PaymentMethodUpdate {
  metadata?: Record<string, unknown> | '';
  billing_details?: BillingDetailsInput | null;
  card?: { exp_month?: number; exp_year?: number };
}

/** Updates metadata, billing details or the expiry; Stripe allows it only once attached. */
export async function updatePaymentMethod(
  tx: Tx,
  ctx: CallContext,
  id: string,
  input: PaymentMethodUpdate,
): Promise<PaymentMethodRow> {
  // Locked until commit, so that concurrent merges (metadata, billing details) serialise.
  const before = await retrievePaymentMethod(tx, ctx, id, 'id', { lock: true });
  if (!before.customer_id) {
    throw errors.paymentMethodUnexpectedState(
      'You must save this PaymentMethod to a customer before you can update it.',
    );
  }
  const patch: Record<string, unknown> = {};
  if (input.card?.exp_month !== undefined || input.card?.exp_year !== undefined) {
    const month = input.card.exp_month ?? before.exp_month;
    const year = normalizeExpYear(input.card.exp_year ?? before.exp_year);
    checkExpiry(month, year, ctx.now);
    Object.assign(patch, { exp_month: month, exp_year: year });
  }
  if (input.billing_details !== undefined) {
    patch.billing_details = mergeBillingDetails(before.billing_details, input.billing_details);
  }
  if (input.metadata !== undefined) {
    patch.metadata = JSON.stringify(mergeMetadata(JSON.parse(before.metadata), input.metadata));
  }
  if (Object.keys(patch).length === 0) return before;

  const after = await updatePaymentMethodByAccountAndId(tx, ctx.accountId, id, patch);
  assert(after, `payment method ${id} vanished inside its transaction`);
  const previous = previousAttributes(paymentMethodToWire(before), paymentMethodToWire(after));
  if (Object.keys(previous).length > 0) {
    await emitEvent(tx, ctx, 'payment_method.updated', paymentMethodToWire(after), previous);
  }
  return after;
}

/**
 * Attaches to a live customer; attaching again to the same customer changes nothing. A test
 * name (`pm_card_visa`) attaches a new payment method made from it, as Stripe's docs use it.
 */
export async function attachPaymentMethod(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  id: string,
  customerId: string,
): Promise<PaymentMethodRow> {
  const test = testCardFor(id, ctx.now);
  if (test && !id.startsWith('pm_card_')) throw errors.resourceMissing('PaymentMethod', id);
  await requireCustomer(tx, ctx.accountId, customerId, 'customer');
  const row = test
    ? await insertCardPaymentMethod(tx, ctx, services, test)
    : await retrievePaymentMethod(tx, ctx, id);
  const settled = attachedAlready(row, customerId);
  if (settled) return settled;

  const after = await attachPaymentMethodByAccountAndId(tx, ctx.accountId, row.id, customerId);
  if (!after) {
    // Another request attached or used it since we read it (it committed while our update
    // waited for its row lock): judge again by what it did, as if it had come first.
    const current = await retrievePaymentMethod(tx, ctx, row.id);
    const outcome = attachedAlready(current, customerId);
    if (outcome) return outcome;
    throw errors.lockTimeout();
  }
  await emitEvent(tx, ctx, 'payment_method.attached', paymentMethodToWire(after));
  return after;
}

/**
 * The answer to attaching `row` to `customerId` when no attach is needed: the row itself if it
 * is attached to that customer already; undefined when it is free to attach.
 * @throws ApiError payment_method_unexpected_state if used up or attached to another customer.
 */
function attachedAlready(row: PaymentMethodRow, customerId: string): PaymentMethodRow | undefined {
  assertReusable(row, 'payment_method');
  if (row.customer_id === customerId) return row;
  if (row.customer_id) {
    throw errors.paymentMethodUnexpectedState(
      'The payment method you provided has already been attached to a customer.',
    );
  }
  return undefined;
}

/** A customer whose default payment method is detached has none left, as on Stripe. */
async function clearCustomerDefault(tx: Tx, ctx: CallContext, customerId: string, id: string) {
  const customer = await findCustomerByAccountAndId(tx, ctx.accountId, customerId);
  if (customer?.default_payment_method !== id) return;
  await updateCustomer(tx, ctx, customerId, { invoice_settings: { default_payment_method: null } });
}

/** Detaches from its customer; a detached payment method can never be used again. */
export async function detachPaymentMethod(tx: Tx, ctx: CallContext, id: string) {
  const row = await retrievePaymentMethod(tx, ctx, id);
  if (!row.customer_id) {
    throw errors.paymentMethodUnexpectedState(
      'The payment method you provided is not attached to a customer so detachment is impossible.',
    );
  }

  const after = await detachPaymentMethodByAccountAndId(tx, ctx.accountId, id, row.customer_id);
  if (!after) throw errors.lockTimeout();
  await clearCustomerDefault(tx, ctx, row.customer_id, id);
  await emitEvent(tx, ctx, 'payment_method.detached', paymentMethodToWire(after), {
    customer: row.customer_id,
  });
  return after;
}

/** A live customer's payment methods, newest first; `customerParam` names it in errors. */
export async function listPaymentMethods(
  tx: Tx,
  ctx: CallContext,
  filter: { customer: string; type?: string },
  page: PageRequest,
  customerParam: string,
) {
  await requireCustomer(tx, ctx.accountId, filter.customer, customerParam);
  return listPaymentMethodsByAccountAndCustomer(
    tx,
    ctx.accountId,
    { customerId: filter.customer, type: filter.type },
    page,
  );
}
