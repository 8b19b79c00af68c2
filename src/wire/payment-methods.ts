import {
  findPaymentMethodByAccountAndId,
  type PaymentMethodRow,
} from '../store/repositories/payment-methods.js';
import { registerExpansion } from './expand.js';
import { json } from './list.js';

interface BillingDetails {
  address: Record<string, string | null>;
  email: string | null;
  name: string | null;
  phone: string | null;
}

/** The stored billing details (kept in wire shape, every key present). */
export function billingDetailsOf(row: PaymentMethodRow): BillingDetails {
  return json<BillingDetails>(row.billing_details)!;
}

/** Address checks are `unchecked` when the payer gave that part of the address, else null. */
function addressChecks(billing: BillingDetails, result: 'unchecked' | 'pass') {
  return {
    address_line1_check: billing.address.line1 ? result : null,
    address_postal_code_check: billing.address.postal_code ? result : null,
  };
}

/** A card payment method in Stripe's shape (stripe-semantics.md §3.3). */
export function paymentMethodToWire(row: PaymentMethodRow): Record<string, unknown> {
  const billing = billingDetailsOf(row);
  return {
    id: row.id,
    object: 'payment_method',
    billing_details: billing,
    card: {
      brand: row.brand,
      // TODO: whether a CVC was given is not stored, so cvc_check is always `unchecked`;
      // it matters once clients branch on a null cvc_check for cards saved without one.
      checks: { ...addressChecks(billing, 'unchecked'), cvc_check: 'unchecked' },
      country: row.country,
      exp_month: row.exp_month,
      exp_year: row.exp_year,
      fingerprint: row.fingerprint,
      funding: row.funding,
      generated_from: null,
      last4: row.last4,
      networks: { available: [row.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: row.created,
    customer: row.customer_id,
    livemode: false,
    metadata: json(row.metadata),
    type: row.type,
  };
}

/**
 * `payment_method_details.card` of a charge made with this payment method (§3.5). The CVC
 * check fails only for the incorrect-CVC test card; `authenticated` adds the 3-D Secure
 * result when the payer completed authentication for this charge.
 */
export function cardDetailsForCharge(
  row: PaymentMethodRow,
  options: { authenticated?: boolean } = {},
): Record<string, unknown> {
  const billing = billingDetailsOf(row);
  return {
    brand: row.brand,
    checks: {
      ...addressChecks(billing, 'pass'),
      cvc_check: row.scenario === 'decline_incorrect_cvc' ? 'fail' : 'pass',
    },
    country: row.country,
    exp_month: row.exp_month,
    exp_year: row.exp_year,
    fingerprint: row.fingerprint,
    funding: row.funding,
    installments: null,
    last4: row.last4,
    mandate: null,
    network: row.brand,
    three_d_secure: options.authenticated
      ? {
          authentication_flow: 'challenge',
          result: 'authenticated',
          result_reason: null,
          version: '2.2.0',
        }
      : null,
    wallet: null,
  };
}

registerExpansion(
  'pm',
  'payment_method',
  async (tx, accountId, id) => {
    const row = await findPaymentMethodByAccountAndId(tx, accountId, id);
    return row && paymentMethodToWire(row);
  },
  ['customer'],
);
