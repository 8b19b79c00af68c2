import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/domain/errors.js';
import { planRefund, type RefundableCharge } from '../../src/domain/refund.js';

const captured: RefundableCharge = {
  id: 'ch_1',
  status: 'succeeded',
  captured: true,
  refunded: false,
  amount: 1000,
  amountCaptured: 800,
  amountRefunded: 300,
  currency: 'usd',
};

function refusal(charge: RefundableCharge, requested?: number) {
  try {
    planRefund(charge, requested);
  } catch (error) {
    assert.ok(error instanceof ApiError);
    return { status: error.status, code: error.code, param: error.param };
  }
  assert.fail('expected a refusal');
}

describe('refund rules', () => {
  // Scenario table: charge state, requested amount, expected plan or refusal.
  const allowed: Array<[string, RefundableCharge, number | undefined, unknown]> = [
    [
      'defaults to what is left of the captured amount',
      captured,
      undefined,
      { kind: 'refund', amount: 500 },
    ],
    ['allows exactly what is left', captured, 500, { kind: 'refund', amount: 500 }],
    ['allows a smaller part', captured, 1, { kind: 'refund', amount: 1 }],
    [
      'releases an uncaptured charge whole',
      { ...captured, captured: false, amountCaptured: 0, amountRefunded: 0 },
      undefined,
      { kind: 'release', amount: 1000 },
    ],
    [
      'releases an uncaptured charge when the whole amount is named',
      { ...captured, captured: false, amountCaptured: 0, amountRefunded: 0 },
      1000,
      { kind: 'release', amount: 1000 },
    ],
  ];
  for (const [name, charge, requested, plan] of allowed) {
    it(name, () => assert.deepEqual(planRefund(charge, requested), plan));
  }

  const refused: Array<[string, RefundableCharge, number | undefined, object]> = [
    ['refuses more than is left', captured, 501, { status: 400, param: 'amount' }],
    [
      'refuses a fully refunded charge',
      { ...captured, amountRefunded: 800, refunded: false },
      undefined,
      { status: 400, code: 'charge_already_refunded' },
    ],
    [
      'refuses a charge flagged refunded',
      { ...captured, refunded: true, amountRefunded: 1000 },
      1,
      { status: 400, code: 'charge_already_refunded' },
    ],
    [
      'refuses part of an uncaptured charge',
      { ...captured, captured: false, amountCaptured: 0, amountRefunded: 0 },
      10,
      { status: 400, param: 'amount' },
    ],
    [
      'refuses a failed charge before anything else',
      { ...captured, status: 'failed', refunded: true },
      99_999,
      { status: 400, param: 'charge' },
    ],
  ];
  for (const [name, charge, requested, expected] of refused) {
    it(name, () =>
      assert.deepEqual({ ...refusal(charge, requested), ...expected }, refusal(charge, requested)),
    );
  }
});
