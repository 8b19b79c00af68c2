import type { CardBrand, CardFunding } from './cards.js';

/**
 * Stripe's test cards (stripe-semantics.md §5): which behaviour each number triggers in the
 * simulated processor, and the `pm_card_*` names and `tok_*` tokens that stand for it. Any other
 * valid number behaves as `success`.
 */
export type Scenario =
  | 'success'
  | 'decline_generic'
  | 'decline_insufficient_funds'
  | 'decline_lost'
  | 'decline_stolen'
  | 'decline_expired'
  | 'decline_incorrect_cvc'
  | 'decline_processing_error'
  | 'decline_velocity'
  | 'decline_fraudulent'
  | 'customer_fail'
  | 'three_d_secure_required'
  | 'three_d_secure_optional'
  | 'authentication_required'
  | 'authentication_required_on_setup'
  | 'three_d_secure_then_decline_insufficient'
  | 'three_d_secure_then_decline'
  | 'bypass_pending'
  | 'dispute';

export const SCENARIOS: readonly Scenario[] = [
  'success',
  'decline_generic',
  'decline_insufficient_funds',
  'decline_lost',
  'decline_stolen',
  'decline_expired',
  'decline_incorrect_cvc',
  'decline_processing_error',
  'decline_velocity',
  'decline_fraudulent',
  'customer_fail',
  'three_d_secure_required',
  'three_d_secure_optional',
  'authentication_required',
  'authentication_required_on_setup',
  'three_d_secure_then_decline_insufficient',
  'three_d_secure_then_decline',
  'bypass_pending',
  'dispute',
];

export interface TestCard {
  number: string;
  brand: CardBrand;
  funding: CardFunding;
  country: string;
  scenario: Scenario;
  /** `pm_card_*` names, the first being Stripe's main one. */
  paymentMethods: readonly string[];
  tokens: readonly string[];
}

type Row = [string, CardBrand, CardFunding, Scenario, string[], string[]];

// prettier-ignore
const ROWS: Row[] = [
  ['4242424242424242', 'visa', 'credit', 'success', ['pm_card_visa'], ['tok_visa']],
  ['4000056655665556', 'visa', 'debit', 'success', ['pm_card_visa_debit'], ['tok_visa_debit']],
  ['5555555555554444', 'mastercard', 'credit', 'success',
    ['pm_card_mastercard'], ['tok_mastercard']],
  ['5200828282828210', 'mastercard', 'debit', 'success',
    ['pm_card_mastercard_debit'], ['tok_mastercard_debit']],
  ['5105105105105100', 'mastercard', 'prepaid', 'success',
    ['pm_card_mastercard_prepaid'], ['tok_mastercard_prepaid']],
  ['378282246310005', 'amex', 'credit', 'success', ['pm_card_amex'], ['tok_amex']],
  ['6011111111111117', 'discover', 'credit', 'success', ['pm_card_discover'], ['tok_discover']],
  ['3056930009020004', 'diners', 'credit', 'success', ['pm_card_diners'], ['tok_diners']],
  ['3566002020360505', 'jcb', 'credit', 'success', ['pm_card_jcb'], ['tok_jcb']],
  ['6200000000000005', 'unionpay', 'credit', 'success', ['pm_card_unionpay'], ['tok_unionpay']],
  ['4000000000000002', 'visa', 'credit', 'decline_generic',
    ['pm_card_chargeDeclined', 'pm_card_visa_chargeDeclined'], ['tok_chargeDeclined']],
  ['4000000000009995', 'visa', 'credit', 'decline_insufficient_funds',
    ['pm_card_chargeDeclinedInsufficientFunds', 'pm_card_visa_chargeDeclinedInsufficientFunds'],
    ['tok_chargeDeclinedInsufficientFunds']],
  ['4000000000009987', 'visa', 'credit', 'decline_lost',
    ['pm_card_chargeDeclinedLostCard', 'pm_card_visa_chargeDeclinedLostCard'],
    ['tok_chargeDeclinedLostCard']],
  ['4000000000009979', 'visa', 'credit', 'decline_stolen',
    ['pm_card_chargeDeclinedStolenCard', 'pm_card_visa_chargeDeclinedStolenCard'],
    ['tok_chargeDeclinedStolenCard']],
  ['4000000000000069', 'visa', 'credit', 'decline_expired',
    ['pm_card_chargeDeclinedExpiredCard'], ['tok_chargeDeclinedExpiredCard']],
  ['4000000000000127', 'visa', 'credit', 'decline_incorrect_cvc',
    ['pm_card_chargeDeclinedIncorrectCvc'], ['tok_chargeDeclinedIncorrectCvc']],
  ['4000000000000119', 'visa', 'credit', 'decline_processing_error',
    ['pm_card_chargeDeclinedProcessingError'], ['tok_chargeDeclinedProcessingError']],
  ['4000000000006975', 'visa', 'credit', 'decline_velocity',
    ['pm_card_visa_chargeDeclinedVelocityLimitExceeded'], []],
  ['4100000000000019', 'visa', 'credit', 'decline_fraudulent',
    ['pm_card_chargeDeclinedFraudulent', 'pm_card_radarBlock'], ['tok_chargeDeclinedFraudulent']],
  ['4000000000000341', 'visa', 'credit', 'customer_fail',
    ['pm_card_chargeCustomerFail'], ['tok_chargeCustomerFail']],
  ['4000000000003220', 'visa', 'credit', 'three_d_secure_required',
    ['pm_card_threeDSecure2Required'], ['tok_threeDSecure2Required']],
  ['4000000000003063', 'visa', 'credit', 'three_d_secure_required',
    ['pm_card_threeDSecureRequired'], []],
  ['4000002760003184', 'visa', 'credit', 'authentication_required',
    ['pm_card_authenticationRequired'], []],
  ['4000002500003155', 'visa', 'credit', 'authentication_required_on_setup',
    ['pm_card_authenticationRequiredOnSetup'], []],
  ['4000008260003178', 'visa', 'credit', 'three_d_secure_then_decline_insufficient',
    ['pm_card_authenticationRequiredChargeDeclinedInsufficientFunds'], []],
  ['4000008400001629', 'visa', 'credit', 'three_d_secure_then_decline',
    ['pm_card_threeDSecureRequiredChargeDeclined'], []],
  ['4000000000003055', 'visa', 'credit', 'three_d_secure_optional',
    ['pm_card_threeDSecureOptional'], []],
  ['4000000000000077', 'visa', 'credit', 'bypass_pending',
    ['pm_card_bypassPending'], ['tok_bypassPending']],
  ['4000000000000259', 'visa', 'credit', 'dispute',
    ['pm_card_createDispute'], ['tok_createDispute']],
];

export const TEST_CARDS: readonly TestCard[] = ROWS.map(
  ([number, brand, funding, scenario, paymentMethods, tokens]) => ({
    number,
    brand,
    funding,
    country: 'US',
    scenario,
    paymentMethods,
    tokens,
  }),
);

const byNumber = new Map(TEST_CARDS.map((card) => [card.number, card]));
const byReference = new Map(
  TEST_CARDS.flatMap((card) => [...card.paymentMethods, ...card.tokens].map((r) => [r, card])),
);

/** The test card with this number, if it is one. */
export function testCardByNumber(digits: string): TestCard | undefined {
  return byNumber.get(digits);
}

/** The test card a `pm_card_*` name or `tok_*` token stands for (case-sensitive, as Stripe). */
export function testCardByReference(reference: string): TestCard | undefined {
  return byReference.get(reference);
}

/** Whether the simulated processor asks for 3-D Secure on on-session payments. */
export function scenarioRequiresAuthentication(scenario: Scenario): boolean {
  return (
    scenario === 'three_d_secure_required' ||
    scenario === 'authentication_required' ||
    scenario === 'authentication_required_on_setup' ||
    scenario === 'three_d_secure_then_decline_insufficient' ||
    scenario === 'three_d_secure_then_decline'
  );
}

export function isScenario(value: string): value is Scenario {
  return (SCENARIOS as readonly string[]).includes(value);
}
