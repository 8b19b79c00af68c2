import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cardBrand, luhnValid } from '../../src/domain/cards.js';
import {
  SCENARIOS,
  TEST_CARDS,
  testCardByNumber,
  testCardByReference,
} from '../../src/domain/test-cards.js';

describe('test cards', () => {
  it('are valid numbers whose brand matches the number', () => {
    for (const card of TEST_CARDS) {
      assert.ok(luhnValid(card.number), card.number);
      assert.equal(cardBrand(card.number), card.brand, card.number);
      assert.ok(SCENARIOS.includes(card.scenario));
    }
  });

  it('have unique numbers, names and tokens, with the expected prefixes', () => {
    const numbers = TEST_CARDS.map((c) => c.number);
    assert.equal(new Set(numbers).size, numbers.length);
    const references = TEST_CARDS.flatMap((c) => [...c.paymentMethods, ...c.tokens]);
    assert.equal(new Set(references).size, references.length);
    for (const card of TEST_CARDS) {
      assert.ok(card.paymentMethods.length > 0);
      for (const name of card.paymentMethods) assert.match(name, /^pm_card_[A-Za-z0-9_]+$/);
      for (const token of card.tokens) assert.match(token, /^tok_[A-Za-z0-9_]+$/);
    }
  });

  // stripe-semantics.md §5, row by row.
  const table: Array<[string, string, string, string]> = [
    ['pm_card_visa', 'tok_visa', '4242424242424242', 'success'],
    ['pm_card_visa_debit', 'tok_visa_debit', '4000056655665556', 'success'],
    ['pm_card_mastercard', 'tok_mastercard', '5555555555554444', 'success'],
    ['pm_card_amex', 'tok_amex', '378282246310005', 'success'],
    ['pm_card_chargeDeclined', 'tok_chargeDeclined', '4000000000000002', 'decline_generic'],
    [
      'pm_card_chargeDeclinedInsufficientFunds',
      'tok_chargeDeclinedInsufficientFunds',
      '4000000000009995',
      'decline_insufficient_funds',
    ],
    [
      'pm_card_chargeDeclinedLostCard',
      'tok_chargeDeclinedLostCard',
      '4000000000009987',
      'decline_lost',
    ],
    [
      'pm_card_chargeDeclinedStolenCard',
      'tok_chargeDeclinedStolenCard',
      '4000000000009979',
      'decline_stolen',
    ],
    [
      'pm_card_chargeDeclinedExpiredCard',
      'tok_chargeDeclinedExpiredCard',
      '4000000000000069',
      'decline_expired',
    ],
    [
      'pm_card_chargeDeclinedIncorrectCvc',
      'tok_chargeDeclinedIncorrectCvc',
      '4000000000000127',
      'decline_incorrect_cvc',
    ],
    [
      'pm_card_chargeDeclinedProcessingError',
      'tok_chargeDeclinedProcessingError',
      '4000000000000119',
      'decline_processing_error',
    ],
    [
      'pm_card_chargeDeclinedFraudulent',
      'tok_chargeDeclinedFraudulent',
      '4100000000000019',
      'decline_fraudulent',
    ],
    ['pm_card_chargeCustomerFail', 'tok_chargeCustomerFail', '4000000000000341', 'customer_fail'],
    [
      'pm_card_threeDSecure2Required',
      'tok_threeDSecure2Required',
      '4000000000003220',
      'three_d_secure_required',
    ],
    ['pm_card_bypassPending', 'tok_bypassPending', '4000000000000077', 'bypass_pending'],
    ['pm_card_createDispute', 'tok_createDispute', '4000000000000259', 'dispute'],
  ];
  for (const [name, token, number, scenario] of table) {
    it(`${name} and ${token} are ${number} (${scenario})`, () => {
      assert.equal(testCardByReference(name)?.number, number);
      assert.equal(testCardByReference(token)?.number, number);
      assert.equal(testCardByNumber(number)?.scenario, scenario);
    });
  }

  const namesOnly: Array<[string, string, string]> = [
    ['pm_card_visa_chargeDeclined', '4000000000000002', 'decline_generic'],
    ['pm_card_visa_chargeDeclinedLostCard', '4000000000009987', 'decline_lost'],
    ['pm_card_visa_chargeDeclinedVelocityLimitExceeded', '4000000000006975', 'decline_velocity'],
    ['pm_card_radarBlock', '4100000000000019', 'decline_fraudulent'],
    ['pm_card_threeDSecureRequired', '4000000000003063', 'three_d_secure_required'],
    ['pm_card_authenticationRequired', '4000002760003184', 'authentication_required'],
    [
      'pm_card_authenticationRequiredOnSetup',
      '4000002500003155',
      'authentication_required_on_setup',
    ],
    [
      'pm_card_authenticationRequiredChargeDeclinedInsufficientFunds',
      '4000008260003178',
      'three_d_secure_then_decline_insufficient',
    ],
    [
      'pm_card_threeDSecureRequiredChargeDeclined',
      '4000008400001629',
      'three_d_secure_then_decline',
    ],
    ['pm_card_threeDSecureOptional', '4000000000003055', 'three_d_secure_optional'],
  ];
  for (const [name, number, scenario] of namesOnly) {
    it(`${name} is ${number} (${scenario})`, () => {
      const card = testCardByReference(name);
      assert.equal(card?.number, number);
      assert.equal(card?.scenario, scenario);
    });
  }

  it('knows amex last4, debit funding, and nothing of unknown references', () => {
    assert.equal(testCardByReference('pm_card_amex')?.number.slice(-4), '0005');
    assert.equal(testCardByReference('tok_visa_debit')?.funding, 'debit');
    assert.equal(testCardByReference('pm_card_nothing'), undefined);
    assert.equal(testCardByReference('PM_CARD_VISA'), undefined);
    assert.equal(testCardByNumber('4111111111111111'), undefined);
  });
});
