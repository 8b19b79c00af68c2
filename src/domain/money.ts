import { errors } from './errors.js';

/**
 * Currencies and amounts. Amounts are always safe integers in the currency's minor unit; the
 * exponent says how many decimals that unit has (jpy: 0, usd: 2, kwd: 3).
 */

const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** Stripe's published minimum charge amounts, in minor units. Others use a usd-like 50. */
const MINIMUM_AMOUNT: Record<string, number> = {
  usd: 50,
  eur: 50,
  gbp: 30,
  cad: 50,
  aud: 50,
  nzd: 50,
  sgd: 50,
  chf: 50,
  brl: 50,
  inr: 50,
  jpy: 50,
  hkd: 400,
  mxn: 1000,
  dkk: 250,
  nok: 300,
  sek: 300,
  pln: 200,
  czk: 1500,
  huf: 17500,
  myr: 200,
  thb: 1000,
  aed: 200,
  bgn: 100,
  ron: 200,
};

/** The ISO 4217 codes this server accepts (Stripe's card-presentment list, abridged). */
const SUPPORTED = new Set([
  ...ZERO_DECIMAL,
  ...THREE_DECIMAL,
  ...Object.keys(MINIMUM_AMOUNT),
  'ars',
  'cop',
  'idr',
  'ils',
  'isk',
  'kes',
  'krw',
  'ngn',
  'php',
  'pkr',
  'sar',
  'try',
  'twd',
  'uah',
  'zar',
  'egp',
  'mad',
  'qar',
  'vnd',
  'clp',
  'pen',
  'uyu',
  'bdt',
  'lkr',
]);

/** Stripe's ceiling: eight digits in the minor unit. */
export const MAX_AMOUNT = 99_999_999;

export function currencyExponent(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  return 2;
}

export function isSupportedCurrency(currency: string): boolean {
  return SUPPORTED.has(currency);
}

/**
 * Normalises a currency parameter to lowercase ISO code.
 * @throws ApiError (param `currency`) when it is not a supported code.
 */
export function parseCurrency(value: string, param = 'currency'): string {
  const currency = value.toLowerCase();
  if (!isSupportedCurrency(currency)) {
    throw errors.invalidRequest(
      `Invalid currency: ${value}. Stripe currently supports these currencies: ` +
        [...SUPPORTED].sort().join(', '),
      param,
    );
  }
  return currency;
}

/** Renders a minor-unit amount for messages: `$0.50 usd`-style, as Stripe's errors do. */
export function formatAmount(amount: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const major = exponent === 0 ? String(amount) : (amount / 10 ** exponent).toFixed(exponent);
  const symbol = currency === 'usd' ? '$' : '';
  return `${symbol}${major} ${currency}`;
}

/**
 * Checks a charge amount against the currency's minimum, Stripe's maximum and the rules on
 * three-decimal currencies.
 * @throws ApiError amount_too_small, amount_too_large or invalid_charge_amount.
 */
export function checkChargeAmount(amount: number, currency: string): void {
  const minimum = MINIMUM_AMOUNT[currency] ?? 50;
  if (amount < minimum) {
    throw errors.amountTooSmall(`Amount must be at least ${formatAmount(minimum, currency)}`);
  }
  if (amount > MAX_AMOUNT) {
    throw errors.amountTooLarge(
      `Amount must be no more than ${formatAmount(MAX_AMOUNT, currency)}`,
    );
  }
  if (THREE_DECIMAL.has(currency) && amount % 10 !== 0) {
    throw errors.invalidChargeAmount(
      `Amounts in ${currency} must be rounded to the nearest ten (the last digit must be 0).`,
    );
  }
  if (currency === 'isk' && amount % 100 !== 0) {
    throw errors.invalidChargeAmount('Amounts in isk must be whole units (divisible by 100).');
  }
}
