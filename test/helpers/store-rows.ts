import assert from 'node:assert/strict';
import type { CustomerRow } from '../../src/store/repositories/customers.js';
import type { Insertable } from 'kysely';
import type { PaymentIntentsTable } from '../../src/store/schema.js';

/** Rows for store-level tests, complete so that they insert on either database. */
export const ACCOUNT = 'acct_contract';

export function customerRow(
  id: string,
  created: number,
  accountId = ACCOUNT,
): Omit<CustomerRow, 'seq'> {
  return {
    id,
    account_id: accountId,
    created,
    email: `${id}@example.com`,
    name: null,
    phone: null,
    description: null,
    address: null,
    shipping: null,
    metadata: '{}',
    balance: 0,
    currency: null,
    invoice_prefix: 'ABCDEFGH',
    default_payment_method: null,
    preferred_locales: '[]',
    tax_exempt: 'none',
    deleted: 0,
  };
}

export function paymentIntentRow(id: string): Insertable<PaymentIntentsTable> {
  return {
    id,
    account_id: ACCOUNT,
    created: 1_700_000_000,
    amount: 2_000,
    currency: 'usd',
    status: 'requires_confirmation',
    customer_id: null,
    payment_method_id: null,
    capture_method: 'automatic',
    confirmation_method: 'automatic',
    client_secret: `${id}_secret_x`,
    amount_capturable: 0,
    amount_received: 0,
    canceled_at: null,
    cancellation_reason: null,
    description: null,
    metadata: '{}',
    last_payment_error: null,
    latest_charge_id: null,
    next_action: null,
    return_url: null,
    payment_method_types: '["card"]',
    receipt_email: null,
    setup_future_usage: null,
    shipping: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    version: 0,
    authenticated: 0,
  };
}

/** Runs `fn` and returns what it throws. */
export async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new assert.AssertionError({ message: 'expected an error' });
}
