import { createHmac } from 'node:crypto';

/** Card fields that must never be stored, hashed plainly or logged. */
const SECRET_CARD_FIELDS = new Set(['number', 'cvc']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of request parameters in which every `card[number]` and `card[cvc]`, at any depth
 * (`card[…]`, `payment_method_data[card][…]`), is replaced by an HMAC keyed with the
 * deployment's secret. Equal cards still give equal copies, so the copy can stand in for the
 * body in the idempotency fingerprint without the stored hash revealing the number.
 */
export function withCardDigests(params: unknown, key: string, insideCard = false): unknown {
  if (Array.isArray(params)) return params.map((item) => withCardDigests(item, key));
  if (!isObject(params)) return params;
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    if (insideCard && SECRET_CARD_FIELDS.has(name) && typeof value !== 'object') {
      const digest = createHmac('sha256', key)
        .update(`${name}:${String(value)}`)
        .digest('hex');
      copy[name] = `hmac:${digest}`;
    } else {
      copy[name] = withCardDigests(value, key, name === 'card');
    }
  }
  return copy;
}
