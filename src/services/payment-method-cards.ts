import {
  cardBrand,
  cardFingerprint,
  checkCvc,
  checkExpiry,
  normalizeCardNumber,
  normalizeExpYear,
  type CardBrand,
  type CardFunding,
} from '../domain/cards.js';
import { newId } from '../domain/ids.js';
import { mergeMetadata } from '../domain/metadata.js';
import { testCardByNumber, testCardByReference, type Scenario } from '../domain/test-cards.js';
import {
  insertPaymentMethod,
  type PaymentMethodRow,
} from '../store/repositories/payment-methods.js';
import type { Tx } from '../store/schema.js';
import type { CallContext, Services } from './context.js';

/**
 * Turning card details or a test card into a stored payment method row. The number is checked
 * and reduced to brand, last4 and a keyed fingerprint here, and goes no further.
 */

/** Raw card details of one request: held only while it runs, never stored or logged. */
export interface CardInput {
  number: string;
  exp_month: number;
  exp_year: number;
  cvc?: string;
}

/** Billing details as the API takes them; null (the wire's empty string) unsets a field. */
export interface BillingDetailsInput {
  address?: Partial<Record<AddressField, string | null>> | null;
  email?: string | null;
  name?: string | null;
  phone?: string | null;
}

const ADDRESS_FIELDS = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'] as const;
type AddressField = (typeof ADDRESS_FIELDS)[number];

/** Merges a billing-details update into the stored wire shape, every key kept present. */
export function mergeBillingDetails(current: string | null, input: BillingDetailsInput | null) {
  const base = current
    ? JSON.parse(current)
    : {
        address: Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, null])),
        email: null,
        name: null,
        phone: null,
      };
  if (!input) return JSON.stringify(base);
  for (const field of ['email', 'name', 'phone'] as const) {
    if (input[field] !== undefined) base[field] = input[field];
  }
  for (const field of ADDRESS_FIELDS) {
    const value = input.address === null ? null : input.address?.[field];
    if (value !== undefined) base.address[field] = value;
  }
  return JSON.stringify(base);
}

/** What a new card row is made of: its checked number and what the test table says of it. */
export interface CheckedCard {
  digits: string;
  expMonth: number;
  expYear: number;
  brand: CardBrand;
  funding: CardFunding;
  country: string | null;
  scenario: Scenario;
}

/**
 * Validates raw card details in Stripe's order: number, expiry month, expiry year, CVC.
 * @throws ApiError 402 card_error (incorrect_number, invalid_expiry_month, …).
 */
export function checkCard(card: CardInput, now: number): CheckedCard {
  const digits = normalizeCardNumber(card.number);
  const test = testCardByNumber(digits);
  const brand = test?.brand ?? cardBrand(digits);
  const expYear = normalizeExpYear(card.exp_year);
  checkExpiry(card.exp_month, expYear, now);
  if (card.cvc !== undefined) checkCvc(card.cvc, brand);
  return {
    digits,
    expMonth: card.exp_month,
    expYear,
    brand,
    // Numbers outside the test table are taken as US credit cards that simply succeed.
    funding: test?.funding ?? 'credit',
    country: test?.country ?? 'US',
    scenario: test?.scenario ?? 'success',
  };
}

export interface NewCardExtras {
  billing_details?: BillingDetailsInput | null;
  metadata?: Record<string, unknown> | '';
}

/** The row a new card payment method gets; nothing is written (see insertCardPaymentMethod). */
export function newCardPaymentMethodRow(
  ctx: CallContext,
  services: Services,
  card: CheckedCard,
  extras: NewCardExtras = {},
): Omit<PaymentMethodRow, 'seq'> {
  return {
    id: newId('pm'),
    account_id: ctx.accountId,
    created: ctx.now,
    type: 'card',
    customer_id: null,
    brand: card.brand,
    last4: card.digits.slice(-4),
    exp_month: card.expMonth,
    exp_year: card.expYear,
    funding: card.funding,
    country: card.country,
    fingerprint: cardFingerprint(services.fingerprintKey, ctx.accountId, card.digits),
    scenario: card.scenario,
    billing_details: mergeBillingDetails(null, extras.billing_details ?? null),
    metadata: JSON.stringify(mergeMetadata({}, extras.metadata)),
    consumed: 0,
  };
}

/** Writes a card payment method; only derived data is stored, never the number or CVC. */
export async function insertCardPaymentMethod(
  tx: Tx,
  ctx: CallContext,
  services: Services,
  card: CheckedCard,
  extras: NewCardExtras = {},
): Promise<PaymentMethodRow> {
  return insertPaymentMethod(tx, newCardPaymentMethodRow(ctx, services, card, extras));
}

/**
 * The checked card a `pm_card_*` name or `tok_*` token stands for, expiring a year from now
 * (Stripe's test objects carry some future expiry), or undefined for any other reference.
 */
export function testCardFor(reference: string, now: number): CheckedCard | undefined {
  const test = testCardByReference(reference);
  if (!test) return undefined;
  const date = new Date(now * 1000);
  return {
    digits: test.number,
    expMonth: date.getUTCMonth() + 1,
    expYear: date.getUTCFullYear() + 1,
    brand: test.brand,
    funding: test.funding,
    country: test.country,
    scenario: test.scenario,
  };
}
