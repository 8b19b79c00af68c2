/**
 * Log paths pino replaces with `[redacted]`: API keys in headers, card data and secrets in
 * bodies. Request logging records only method, route, status and timing, so these are the second
 * line of defence for anything that logs a request or error object; scrubSecrets is the third.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["stripe-signature"]',
  'headers.authorization',
  'headers["stripe-signature"]',
  'request.headers.authorization',
  'body',
  'req.body',
  'request.body',
  'err.body',
  'card',
  '*.card',
  '*.number',
  '*.cvc',
  'payment_method_data',
  '*.payment_method_data',
  'client_secret',
  '*.client_secret',
  'secret',
  '*.secret',
  'secret_key',
  '*.secret_key',
  'key',
  '*.key',
  'publishable_key',
  'webhook_secret',
  '*.webhook_secret',
];

/** Secret API keys (sk_/rk_), keeping their prefix and last four characters. */
const API_KEY = /\b([sr]k_(?:test|live)_)[A-Za-z0-9]+([A-Za-z0-9]{4})\b/g;
const WEBHOOK_SECRET = /\bwhsec_[A-Za-z0-9+/=]+/g;
/** `pi_…_secret_…`, `seti_…_secret_…`: a client secret lets a browser confirm a payment. */
const CLIENT_SECRET = /_secret_[A-Za-z0-9]+/g;
/** 14 to 19 digits, alone or in groups of four: only Luhn-valid runs are taken for cards. */
const DIGIT_RUN = /(?<![\d.])\d(?:[ -]?\d){13,18}(?![\d.])/g;

/** Luhn's checksum, which every card number satisfies. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Removes whatever looks like a secret from a finished log line (or any text): secret API keys,
 * webhook signing secrets, client secrets and card numbers. It runs on every line written, so an
 * error message that quotes a parameter cannot leak one either.
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(API_KEY, (_m, prefix: string, last4: string) => `${prefix}[redacted]${last4}`)
    .replace(WEBHOOK_SECRET, 'whsec_[redacted]')
    .replace(CLIENT_SECRET, '_secret_[redacted]')
    .replace(DIGIT_RUN, (run) => (passesLuhn(run.replace(/[ -]/g, '')) ? '[redacted card]' : run));
}

/**
 * Serialises an error for the log with only what diagnosis needs. Error objects can carry the
 * request that caused them (bodies, headers, SQL parameters); none of that is copied.
 */
export function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const e = error as Error & { code?: unknown; statusCode?: unknown; cause?: unknown };
  const out: Record<string, unknown> = { type: e.name, message: e.message, stack: e.stack };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (typeof e.statusCode === 'number') out.statusCode = e.statusCode;
  if (e.cause !== undefined) out.cause = serializeError(e.cause);
  return out;
}
