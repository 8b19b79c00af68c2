import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { divideRoundHalfUp, fixedFeeFor, processingFee } from '../../src/domain/fees.js';

const standard = { rateBps: 290, fixed: 30 };

describe('fees', () => {
  describe('divideRoundHalfUp', () => {
    it('rounds ties up and other fractions to the nearest', () => {
      assert.equal(divideRoundHalfUp(5, 10), 1);
      assert.equal(divideRoundHalfUp(4, 10), 0);
      assert.equal(divideRoundHalfUp(15, 10), 2);
      assert.equal(divideRoundHalfUp(14_999, 10_000), 1);
      assert.equal(divideRoundHalfUp(0, 7), 0);
    });
  });

  describe('fixedFeeFor', () => {
    it('keeps cents for two-decimal currencies', () => {
      assert.equal(fixedFeeFor(30, 'usd'), 30);
      assert.equal(fixedFeeFor(30, 'eur'), 30);
    });
    it('rescales for zero- and three-decimal currencies', () => {
      assert.equal(fixedFeeFor(30, 'jpy'), 0);
      assert.equal(fixedFeeFor(50, 'jpy'), 1);
      assert.equal(fixedFeeFor(149, 'jpy'), 1);
      assert.equal(fixedFeeFor(150, 'jpy'), 2);
      assert.equal(fixedFeeFor(30, 'kwd'), 300);
    });
  });

  describe('processingFee', () => {
    it('charges 2.9% + 30 on usd and eur with half-up rounding', () => {
      assert.deepEqual(processingFee(1000, 'usd', standard), { fee: 59, net: 941 });
      // 2.9% of 2050 is 59.45 → 59; of 1050 is 30.45 → 30; of 1550 is 44.95 → 45.
      assert.deepEqual(processingFee(2050, 'eur', standard), { fee: 89, net: 1961 });
      assert.deepEqual(processingFee(1050, 'usd', standard), { fee: 60, net: 990 });
      assert.deepEqual(processingFee(1550, 'usd', standard), { fee: 75, net: 1475 });
      assert.deepEqual(processingFee(5000, 'usd', standard), { fee: 175, net: 4825 });
    });

    it('rounds an exact half up', () => {
      // 1% of 50 = 0.5 → 1.
      assert.deepEqual(processingFee(50, 'usd', { rateBps: 100, fixed: 0 }), { fee: 1, net: 49 });
    });

    it('does not turn 30 cents into 30 yen', () => {
      // 2.9% of ¥1000 = 29; fixed 30 cents → 0 yen.
      assert.deepEqual(processingFee(1000, 'jpy', standard), { fee: 29, net: 971 });
      assert.deepEqual(processingFee(1000, 'jpy', { rateBps: 290, fixed: 100 }), {
        fee: 30,
        net: 970,
      });
    });

    it('never exceeds the amount', () => {
      assert.deepEqual(processingFee(20, 'usd', standard), { fee: 20, net: 0 });
      assert.deepEqual(processingFee(0, 'usd', standard), { fee: 0, net: 0 });
    });

    it('keeps 0 ≤ fee ≤ amount and fee + net = amount for any input', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 99_999_999 }),
          fc.integer({ min: 0, max: 10_000 }),
          fc.integer({ min: 0, max: 10_000 }),
          fc.constantFrom('usd', 'eur', 'jpy', 'kwd'),
          (amount, rateBps, fixed, currency) => {
            const { fee, net } = processingFee(amount, currency, { rateBps, fixed });
            assert.ok(Number.isSafeInteger(fee) && fee >= 0 && fee <= amount);
            assert.equal(fee + net, amount);
          },
        ),
      );
    });
  });
});
