import { assert } from './assert.js';
import { currencyExponent } from './money.js';

/**
 * Processing fees. Pure: the account's settings come in, a fee in the charge currency's minor
 * unit comes out. The rule (also in docs/money.md):
 *
 *   fee = roundHalfUp(amount × rate_bps / 10000) + fixedFor(currency), capped at amount
 *
 * `fee_fixed` on the account is written in the minor unit of a two-decimal currency (30 = 30
 * cents). Charged in a currency with another exponent it is rescaled, so 30 cents never turns
 * into 30 yen: exponent 0 → roundHalfUp(fixed / 100), exponent 3 → fixed × 10.
 */
export interface FeeSettings {
  /** Proportional part in basis points of the amount (290 = 2.9%). */
  rateBps: number;
  /** Fixed part per charge, in the minor unit of a two-decimal currency. */
  fixed: number;
}

/** A fee and the net it leaves, both in the charge currency's minor unit. */
export interface FeeBreakdown {
  fee: number;
  net: number;
}

/** `numerator / denominator` rounded half-up (away from zero on ties); both non-negative. */
export function divideRoundHalfUp(numerator: number, denominator: number): number {
  assert(
    Number.isSafeInteger(numerator) && numerator >= 0,
    'numerator must be a safe integer >= 0',
  );
  assert(Number.isSafeInteger(denominator) && denominator > 0, 'denominator must be positive');
  const quotient = Math.floor(numerator / denominator);
  const remainder = numerator - quotient * denominator;
  return remainder * 2 >= denominator ? quotient + 1 : quotient;
}

/** The account's fixed fee expressed in `currency`'s minor unit (see the rule above). */
export function fixedFeeFor(fixed: number, currency: string): number {
  const exponent = currencyExponent(currency);
  if (exponent >= 2) return fixed * 10 ** (exponent - 2);
  return divideRoundHalfUp(fixed, 10 ** (2 - exponent));
}

/**
 * The processing fee on a captured `amount` (minor units of `currency`), never more than the
 * amount itself, and the net that remains.
 * @throws AssertionError when the amount or settings are not non-negative safe integers.
 */
export function processingFee(
  amount: number,
  currency: string,
  settings: FeeSettings,
): FeeBreakdown {
  assert(Number.isSafeInteger(amount) && amount >= 0, 'amount must be a safe integer ≥ 0');
  assert(Number.isSafeInteger(settings.rateBps) && settings.rateBps >= 0, 'rate_bps must be ≥ 0');
  assert(Number.isSafeInteger(settings.fixed) && settings.fixed >= 0, 'fixed fee must be ≥ 0');
  // amount ≤ 99,999,999 and rate ≤ 10,000 keep the product far below 2^53.
  assert(Number.isSafeInteger(amount * settings.rateBps), 'fee product overflows');

  const proportional = divideRoundHalfUp(amount * settings.rateBps, 10_000);
  const fee = Math.min(amount, proportional + fixedFeeFor(settings.fixed, currency));
  return { fee, net: amount - fee };
}
