import { findChargeByAccountAndId, type ChargeRow } from '../store/repositories/charges.js';
import { registerExpansion } from './expand.js';
import { bool, json } from './list.js';

/** A charge in Stripe's shape (§3.5). */
export function chargeToWire(row: ChargeRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'charge',
    amount: row.amount,
    amount_captured: row.amount_captured,
    amount_refunded: row.amount_refunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: row.balance_transaction_id,
    billing_details: json(row.billing_details),
    calculated_statement_descriptor: null,
    captured: bool(row.captured),
    created: row.created,
    currency: row.currency,
    customer: row.customer_id,
    description: row.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: row.failure_code,
    failure_message: row.failure_message,
    fraud_details: {},
    livemode: false,
    metadata: json(row.metadata),
    outcome: json(row.outcome),
    paid: bool(row.paid),
    payment_intent: row.payment_intent_id,
    payment_method: row.payment_method_id,
    payment_method_details: json(row.payment_method_details),
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: bool(row.refunded),
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: row.status,
    transfer_data: null,
    transfer_group: null,
  };
}

registerExpansion(
  'ch',
  'charge',
  async (tx, accountId, id) => {
    const row = await findChargeByAccountAndId(tx, accountId, id);
    return row && chargeToWire(row);
  },
  ['customer', 'payment_intent', 'balance_transaction'],
);
