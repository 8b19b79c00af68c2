import { errors, type ApiError } from './errors.js';

/**
 * The payment intent status machine (stripe-semantics §4). Pure: which operation may run from
 * which status, what an authorisation outcome leads to, and the refusal every other case gets.
 */
export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'succeeded'
  | 'canceled';

export type Operation =
  | 'confirm'
  | 'capture'
  | 'cancel'
  /** Changing amount, currency, payment_method, capture_method, customer or method types. */
  | 'update_payment_details'
  /** Changing metadata, description, receipt_email, shipping and similar. */
  | 'update_information'
  /** Finishing or failing 3-D Secure on the authentication page. */
  | 'authenticate';

export type CaptureMethod = 'automatic' | 'automatic_async' | 'manual';
export type ConfirmationMethod = 'automatic' | 'manual';

/** The statuses each operation may start from: the one table every transition checks. */
export const ALLOWED_FROM: Readonly<Record<Operation, readonly PaymentIntentStatus[]>> = {
  confirm: ['requires_payment_method', 'requires_confirmation', 'requires_action'],
  capture: ['requires_capture'],
  cancel: [
    'requires_payment_method',
    'requires_capture',
    'requires_confirmation',
    'requires_action',
    'processing',
  ],
  update_payment_details: ['requires_payment_method', 'requires_confirmation', 'requires_action'],
  update_information: [
    'requires_payment_method',
    'requires_confirmation',
    'requires_action',
    'processing',
    'requires_capture',
    'succeeded',
  ],
  authenticate: ['requires_action'],
};

const VERB: Record<Operation, string> = {
  confirm: 'confirm',
  capture: 'capture',
  cancel: 'cancel',
  update_payment_details: 'update',
  update_information: 'update',
  authenticate: 'authenticate',
};

export interface TransitionContext {
  /** For confirm: whether a payment method is set on the intent or supplied with the call. */
  hasPaymentMethod?: boolean;
}

/**
 * Why `operation` may not run from `status`, in Stripe's words, or null when it may.
 * Checked before any write (STYLE §9).
 */
export function transitionRefusal(
  operation: Operation,
  status: PaymentIntentStatus,
  context: TransitionContext = {},
): string | null {
  const allowed = ALLOWED_FROM[operation];
  if (allowed.includes(status)) {
    if (
      operation === 'confirm' &&
      status === 'requires_payment_method' &&
      !context.hasPaymentMethod
    ) {
      return (
        "You cannot confirm this PaymentIntent because it's missing a payment method. You can " +
        'either update the PaymentIntent with a payment method and then confirm it again, or ' +
        'confirm it again directly with a payment method.'
      );
    }
    return null;
  }
  if (operation === 'confirm' && status === 'succeeded') {
    return (
      'You cannot confirm this PaymentIntent because it has already succeeded after being ' +
      'previously confirmed.'
    );
  }
  const statuses = allowed.join(', ');
  const verb = VERB[operation];
  const participle = verb === 'cancel' ? 'canceled' : `${verb}d`;
  return (
    `You cannot ${verb} this PaymentIntent because it has a status of ${status}. Only a ` +
    `PaymentIntent with one of the following statuses may be ${participle}: ${statuses}.`
  );
}

/**
 * Throws payment_intent_unexpected_state when `operation` may not run from `status`.
 * @param extra keys for the error envelope (the intent itself, as Stripe sends it).
 * @throws ApiError payment_intent_unexpected_state (400).
 */
export function assertTransition(
  operation: Operation,
  status: PaymentIntentStatus,
  context: TransitionContext = {},
  extra?: Record<string, unknown>,
): void {
  const refusal = transitionRefusal(operation, status, context);
  if (refusal !== null) throw unexpectedState(refusal, extra);
}

function unexpectedState(message: string, extra?: Record<string, unknown>): ApiError {
  return errors.unexpectedState(message, extra);
}

/** What the processor said about one authorisation attempt, as the state machine sees it. */
export type AttemptOutcome = 'approved' | 'requires_action' | 'declined' | 'authentication_failed';

/**
 * The status an authorisation attempt leads to (§4.3, §4.4): approved money is captured at once
 * or held for a manual capture; a decline or failed authentication sends the intent back for
 * another payment method.
 */
export function statusAfterAttempt(
  outcome: AttemptOutcome,
  captureMethod: CaptureMethod,
): PaymentIntentStatus {
  switch (outcome) {
    case 'declined':
    case 'authentication_failed':
      return 'requires_payment_method';
    case 'requires_action':
      return 'requires_action';
    case 'approved':
      return captureMethod === 'manual' ? 'requires_capture' : 'succeeded';
  }
}

/**
 * Whether finishing 3-D Secure authorises the payment at once. With manual confirmation it only
 * returns the intent to requires_confirmation: the server must confirm again, and that confirm
 * authorises as already authenticated (§4.3).
 */
export function authorizesOnAuthentication(confirmationMethod: ConfirmationMethod): boolean {
  return confirmationMethod === 'automatic';
}

/** Stripe's accepted `cancellation_reason` inputs (§4.3). */
export const CANCELLATION_REASONS = [
  'duplicate',
  'fraudulent',
  'requested_by_customer',
  'abandoned',
] as const;
