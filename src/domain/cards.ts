import { createHmac } from 'node:crypto';
import { errors } from './errors.js';

/**
 * Card number rules: checksum, brand, expiry, security code. Pure functions over the raw
 * details of one request; nothing here keeps a number or CVC beyond the call.
 */
export type CardBrand =
  'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unionpay' | 'unknown';

export type CardFunding = 'credit' | 'debit' | 'prepaid' | 'unknown';

/** True when `digits` (only 0-9) passes the Luhn mod-10 checksum (ISO/IEC 7812-1). */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Leading-digit ranges of each network (IIN ranges as published by the card networks). */
const BRAND_RANGES: ReadonlyArray<[CardBrand, number, number, number]> = [
  // [brand, prefix length, first, last]
  ['amex', 2, 34, 34],
  ['amex', 2, 37, 37],
  ['diners', 3, 300, 305],
  ['diners', 4, 3095, 3095],
  ['diners', 2, 36, 36],
  ['diners', 2, 38, 39],
  ['jcb', 4, 3528, 3589],
  ['mastercard', 2, 51, 55],
  ['mastercard', 4, 2221, 2720],
  ['discover', 4, 6011, 6011],
  ['discover', 3, 644, 649],
  ['discover', 2, 65, 65],
  ['unionpay', 2, 62, 62],
  ['unionpay', 2, 81, 81],
  ['visa', 1, 4, 4],
];

/** The card network of a number, from its leading digits; `unknown` when none matches. */
export function cardBrand(digits: string): CardBrand {
  for (const [brand, length, first, last] of BRAND_RANGES) {
    const prefix = Number(digits.slice(0, length));
    if (digits.length >= length && prefix >= first && prefix <= last) return brand;
  }
  return 'unknown';
}

/**
 * The number as digits, with the spaces and dashes people type removed.
 * @throws ApiError 402 `invalid_number` when it is not 12–19 digits, `incorrect_number` when
 *   the checksum fails (param `number`).
 */
export function normalizeCardNumber(raw: string): string {
  const digits = raw.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits)) {
    throw errors.cardError(
      'invalid_number',
      'The card number is not a valid credit card number.',
      'number',
    );
  }
  if (!luhnValid(digits)) {
    throw errors.cardError('incorrect_number', 'Your card number is incorrect.', 'number');
  }
  return digits;
}

/** Years as people write them on cards: 2-digit years are in this century. */
export function normalizeExpYear(year: number): number {
  return year >= 0 && year < 100 ? 2000 + year : year;
}

/** How far ahead an expiry date may be before it is taken for a typing error. */
const MAX_YEARS_AHEAD = 50;

/**
 * Checks an expiry (month 1–12, year 4-digit) against the current date `nowSeconds` (Unix
 * seconds, UTC). A card is valid through the last day of its expiry month.
 * @throws ApiError 402 `invalid_expiry_month` (param `exp_month`) for a month outside 1–12 or
 *   already past this year; `invalid_expiry_year` (param `exp_year`) for a past or absurdly
 *   distant year.
 */
export function checkExpiry(month: number, year: number, nowSeconds: number): void {
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw errors.cardError(
      'invalid_expiry_month',
      "Your card's expiration month is invalid.",
      'exp_month',
    );
  }
  const now = new Date(nowSeconds * 1000);
  const thisYear = now.getUTCFullYear();
  if (!Number.isInteger(year) || year < thisYear || year > thisYear + MAX_YEARS_AHEAD) {
    throw errors.cardError(
      'invalid_expiry_year',
      "Your card's expiration year is invalid.",
      'exp_year',
    );
  }
  if (year === thisYear && month < now.getUTCMonth() + 1) {
    throw errors.cardError(
      'invalid_expiry_month',
      "Your card's expiration month is invalid.",
      'exp_month',
    );
  }
}

/**
 * Checks a security code: 3 digits, 4 for American Express.
 * @throws ApiError 402 `invalid_cvc` (param `cvc`).
 */
export function checkCvc(cvc: string, brand: CardBrand): void {
  const length = brand === 'amex' ? 4 : 3;
  if (!new RegExp(`^\\d{${length}}$`).test(cvc)) {
    throw errors.cardError('invalid_cvc', "Your card's security code is invalid.", 'cvc');
  }
}

/**
 * A card's fingerprint: HMAC-SHA256 of the number keyed with the deployment's secret and
 * scoped to one account, as hex truncated to 16 characters. Equal numbers give equal
 * fingerprints within an account; without the key the number cannot be recovered by
 * hashing every possible card number (a plain hash of a 16-digit number could be).
 */
export function cardFingerprint(key: string, accountId: string, digits: string): string {
  return createHmac('sha256', key).update(`${accountId}:${digits}`).digest('hex').slice(0, 16);
}
