import {
  findPaymentIntentByAccountAndId,
  type PaymentIntentRow,
} from '../store/repositories/payment-intents.js';
import { registerExpansion } from './expand.js';
import { json } from './list.js';

/** A payment intent in Stripe's shape (§3.4), as secret keys see it. */
export function paymentIntentToWire(row: PaymentIntentRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'payment_intent',
    amount: row.amount,
    amount_capturable: row.amount_capturable,
    amount_details: { tip: {} },
    amount_received: row.amount_received,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: row.canceled_at,
    cancellation_reason: row.cancellation_reason,
    capture_method: row.capture_method,
    client_secret: row.client_secret,
    confirmation_method: row.confirmation_method,
    created: row.created,
    currency: row.currency,
    customer: row.customer_id,
    description: row.description,
    invoice: null,
    last_payment_error: json(row.last_payment_error),
    latest_charge: row.latest_charge_id,
    livemode: false,
    metadata: json(row.metadata),
    next_action: json(row.next_action),
    on_behalf_of: null,
    payment_method: row.payment_method_id,
    payment_method_options: {},
    payment_method_types: json(row.payment_method_types),
    processing: null,
    receipt_email: row.receipt_email,
    review: null,
    setup_future_usage: row.setup_future_usage,
    shipping: json(row.shipping),
    source: null,
    statement_descriptor: row.statement_descriptor,
    statement_descriptor_suffix: row.statement_descriptor_suffix,
    status: row.status,
    transfer_data: null,
    transfer_group: null,
  };
}

/** What a publishable key with the client secret may see (§3.4: no metadata, customer…). */
const PUBLISHABLE_FIELDS = [
  'id',
  'object',
  'amount',
  'amount_details',
  'automatic_payment_methods',
  'canceled_at',
  'cancellation_reason',
  'capture_method',
  'client_secret',
  'confirmation_method',
  'created',
  'currency',
  'description',
  'last_payment_error',
  'livemode',
  'next_action',
  'payment_method',
  'payment_method_types',
  'processing',
  'receipt_email',
  'setup_future_usage',
  'shipping',
  'source',
  'status',
] as const;

/** The reduced intent answered to publishable keys. */
export function paymentIntentToPublishableWire(row: PaymentIntentRow): Record<string, unknown> {
  return publishableView(paymentIntentToWire(row));
}

/** Reduces a full intent's wire form to what publishable keys see. */
export function publishableView(full: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(PUBLISHABLE_FIELDS.map((key) => [key, full[key]]));
}

registerExpansion(
  'pi',
  'payment_intent',
  async (tx, accountId, id) => {
    const row = await findPaymentIntentByAccountAndId(tx, accountId, id);
    return row && paymentIntentToWire(row);
  },
  ['customer', 'payment_method', 'latest_charge'],
);
