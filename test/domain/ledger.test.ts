import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionError } from '../../src/domain/assert.js';
import { assertBalanced, chargeCapturedPosting, refundPosting } from '../../src/domain/ledger.js';

describe('ledger postings', () => {
  it('splits a captured charge into net and fee', () => {
    assert.deepEqual(chargeCapturedPosting('usd', 1000, 59), [
      { ledgerAccount: 'payer_funds', currency: 'usd', amount: -1000 },
      { ledgerAccount: 'merchant_balance', currency: 'usd', amount: 941 },
      { ledgerAccount: 'processing_fees', currency: 'usd', amount: 59 },
    ]);
  });

  it('leaves out a zero fee entry', () => {
    assert.equal(chargeCapturedPosting('jpy', 10, 0).length, 2);
  });

  it('moves a refund from the merchant back to the payer', () => {
    assert.deepEqual(refundPosting('eur', 300), [
      { ledgerAccount: 'merchant_balance', currency: 'eur', amount: -300 },
      { ledgerAccount: 'payer_funds', currency: 'eur', amount: 300 },
    ]);
  });

  it('refuses unbalanced postings and impossible amounts', () => {
    assert.throws(
      () =>
        assertBalanced([
          { ledgerAccount: 'payer_funds', currency: 'usd', amount: -5 },
          { ledgerAccount: 'merchant_balance', currency: 'usd', amount: 4 },
        ]),
      AssertionError,
    );
    assert.throws(
      () =>
        assertBalanced([
          { ledgerAccount: 'payer_funds', currency: 'usd', amount: -5 },
          { ledgerAccount: 'merchant_balance', currency: 'eur', amount: 5 },
        ]),
      AssertionError,
    );
    assert.throws(() => chargeCapturedPosting('usd', 100, 101), AssertionError);
    assert.throws(() => chargeCapturedPosting('usd', 0, 0), AssertionError);
    assert.throws(() => refundPosting('usd', -1), AssertionError);
    assert.throws(() => refundPosting('usd', 1.5), AssertionError);
  });
});
