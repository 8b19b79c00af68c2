import { CANCELLATION_REASONS } from '../../domain/payment-intent.js';
import { listParams, addressParam, p } from '../params.js';

/** Parameter declarations of the payment intent endpoints (kept apart from the handlers). */
const address = addressParam;

const shipping = p.object({
  address: p.required(address),
  name: p.required(p.text({ max: 256 })),
  phone: p.string({ max: 20 }),
  carrier: p.string({ max: 100 }),
  tracking_number: p.string({ max: 100 }),
});

const paymentMethodData = p.object({
  type: p.required(p.enum(['card'] as const)),
  card: p.object({
    number: p.required(p.text({ max: 30 })),
    exp_month: p.required(p.integer()),
    exp_year: p.required(p.integer()),
    cvc: p.text({ max: 4 }),
  }),
  billing_details: p.object({
    address,
    email: p.string({ max: 512 }),
    name: p.string({ max: 256 }),
    phone: p.string({ max: 20 }),
  }),
});

const captureMethod = p.enum(['automatic', 'automatic_async', 'manual'] as const);
const setupFutureUsage = p.enum(['on_session', 'off_session'] as const, { nullable: true });

/** Fields a confirm takes, and create takes with confirm=true. */
const confirmFields = {
  payment_method: p.string({ max: 255 }),
  payment_method_data: paymentMethodData,
  return_url: p.string({ max: 2048 }),
  off_session: p.boolean(),
  error_on_requires_action: p.boolean(),
  receipt_email: p.string({ max: 512 }),
  setup_future_usage: setupFutureUsage,
  shipping,
  capture_method: captureMethod,
};

const describingFields = {
  metadata: p.metadata(),
  description: p.string({ max: 1000 }),
  statement_descriptor: p.string({ max: 22 }),
  statement_descriptor_suffix: p.string({ max: 22 }),
  payment_method_types: p.array(p.text({ max: 50 }), { max: 10 }),
  customer: p.string({ max: 255 }),
};

export const createSpec = {
  ...confirmFields,
  ...describingFields,
  amount: p.required(p.integer({ min: 1 })),
  currency: p.required(p.text({ max: 3 })),
  confirmation_method: p.enum(['automatic', 'manual'] as const),
  confirm: p.boolean(),
};

export const updateSpec = {
  ...describingFields,
  amount: p.integer({ min: 1 }),
  currency: p.text({ max: 3 }),
  payment_method: p.string({ max: 255 }),
  capture_method: captureMethod,
  receipt_email: p.string({ max: 512 }),
  setup_future_usage: setupFutureUsage,
  shipping,
};

export const confirmSpec = { ...confirmFields, client_secret: p.text({ max: 255 }) };

export const retrieveSpec = { client_secret: p.text({ max: 255 }) };

export const captureSpec = { amount_to_capture: p.integer({ min: 1 }) };

export const cancelSpec = { cancellation_reason: p.enum(CANCELLATION_REASONS) };

export const listSpec = {
  ...listParams,
  customer: p.text({ max: 255 }),
  created: p.timestampRange(),
};
