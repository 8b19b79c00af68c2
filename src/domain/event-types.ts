/**
 * The event types Payrail emits or accepts in a webhook endpoint's `enabled_events`
 * (stripe-semantics §14.1, plus the few neighbours Stripe lists beside them). A type a
 * service emits must be listed here, or no endpoint can subscribe to it by name.
 */
export const EVENT_TYPES = [
  'charge.captured',
  'charge.expired',
  'charge.failed',
  'charge.pending',
  'charge.refund.updated',
  'charge.refunded',
  'charge.succeeded',
  'charge.updated',
  'customer.created',
  'customer.deleted',
  'customer.updated',
  'payment_intent.amount_capturable_updated',
  'payment_intent.canceled',
  'payment_intent.created',
  'payment_intent.partially_funded',
  'payment_intent.payment_failed',
  'payment_intent.processing',
  'payment_intent.requires_action',
  'payment_intent.succeeded',
  'payment_method.attached',
  'payment_method.automatically_updated',
  'payment_method.detached',
  'payment_method.updated',
  'refund.created',
  'refund.failed',
  'refund.updated',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

const known = new Set<string>(EVENT_TYPES);

/** Whether `type` is an event type Payrail knows (the `*` subscription is not a type). */
export function isKnownEventType(type: string): type is EventType {
  return known.has(type);
}
