import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/domain/errors.js';
import {
  assertTransition,
  authorizesOnAuthentication,
  statusAfterAttempt,
  transitionRefusal,
  type Operation,
  type PaymentIntentStatus,
} from '../../src/domain/payment-intent.js';

const STATUSES: PaymentIntentStatus[] = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'succeeded',
  'canceled',
];

// Scenario table (stripe-semantics §4.3): for each operation, the statuses it may start from.
// Every status not listed must be refused with payment_intent_unexpected_state.
const ALLOWED: Array<[Operation, PaymentIntentStatus[]]> = [
  ['confirm', ['requires_payment_method', 'requires_confirmation', 'requires_action']],
  ['capture', ['requires_capture']],
  [
    'cancel',
    [
      'requires_payment_method',
      'requires_confirmation',
      'requires_action',
      'requires_capture',
      'processing',
    ],
  ],
  [
    'update_payment_details',
    ['requires_payment_method', 'requires_confirmation', 'requires_action'],
  ],
  [
    'update_information',
    [
      'requires_payment_method',
      'requires_confirmation',
      'requires_action',
      'processing',
      'requires_capture',
      'succeeded',
    ],
  ],
  ['authenticate', ['requires_action']],
];

describe('payment intent state machine', () => {
  for (const [operation, allowed] of ALLOWED) {
    for (const status of STATUSES) {
      const expected = allowed.includes(status) ? 'allowed' : 'refused';
      it(`${operation} from ${status} is ${expected}`, () => {
        const refusal = transitionRefusal(operation, status, { hasPaymentMethod: true });
        assert.equal(refusal === null, expected === 'allowed');
        if (expected === 'refused') {
          assert.throws(
            () => assertTransition(operation, status, { hasPaymentMethod: true }),
            (error: unknown) =>
              error instanceof ApiError &&
              error.status === 400 &&
              error.type === 'invalid_request_error' &&
              error.code === 'payment_intent_unexpected_state',
          );
        }
      });
    }
  }

  it('refuses confirm from requires_payment_method when no payment method is anywhere', () => {
    const refusal = transitionRefusal('confirm', 'requires_payment_method', {
      hasPaymentMethod: false,
    });
    assert.match(refusal ?? '', /missing a payment method/);
  });

  it('names an earlier success when confirming a succeeded intent', () => {
    assert.match(transitionRefusal('confirm', 'succeeded') ?? '', /already succeeded/);
  });

  it('names the status and the capturable status when capture is refused', () => {
    const refusal = transitionRefusal('capture', 'requires_payment_method') ?? '';
    assert.match(refusal, /requires_payment_method/);
    assert.match(refusal, /may be captured: requires_capture\./);
  });

  it('lists the cancelable statuses when cancel is refused', () => {
    const refusal = transitionRefusal('cancel', 'succeeded') ?? '';
    for (const status of ALLOWED[2][1]) assert.ok(refusal.includes(status), status);
  });

  const OUTCOMES: Array<[Parameters<typeof statusAfterAttempt>, PaymentIntentStatus]> = [
    [['approved', 'automatic'], 'succeeded'],
    [['approved', 'automatic_async'], 'succeeded'],
    [['approved', 'manual'], 'requires_capture'],
    [['requires_action', 'automatic'], 'requires_action'],
    [['requires_action', 'manual'], 'requires_action'],
    [['declined', 'automatic'], 'requires_payment_method'],
    [['declined', 'manual'], 'requires_payment_method'],
    [['authentication_failed', 'automatic'], 'requires_payment_method'],
  ];
  for (const [args, expected] of OUTCOMES) {
    it(`an attempt ${args[0]} with capture ${args[1]} leads to ${expected}`, () => {
      assert.equal(statusAfterAttempt(...args), expected);
    });
  }

  it('authorises on finished authentication only with automatic confirmation', () => {
    assert.equal(authorizesOnAuthentication('automatic'), true);
    assert.equal(authorizesOnAuthentication('manual'), false);
  });
});
