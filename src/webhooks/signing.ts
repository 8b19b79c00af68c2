import { createHmac, timingSafeEqual } from 'node:crypto';

/** Stripe's default tolerance for a signature's timestamp, in seconds. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * The `v1` signature of a payload: hex HMAC-SHA256 keyed with the whole `whsec_…` string over
 * `t + "." + payload` (stripe-semantics §14.3). `payload` must be the exact bytes sent.
 */
export function computeSignature(
  secret: string,
  timestampSeconds: number,
  payload: string,
): string {
  return createHmac('sha256', secret)
    .update(`${timestampSeconds}.${payload}`, 'utf8')
    .digest('hex');
}

/** The `Stripe-Signature` header value for `payload`, signed at `timestampSeconds`. */
export function signatureHeader(secret: string, timestampSeconds: number, payload: string): string {
  return `t=${timestampSeconds},v1=${computeSignature(secret, timestampSeconds, payload)}`;
}

/**
 * Checks a `Stripe-Signature` header as stripe-node does: at least one `v1` matches (constant
 * time) and the timestamp is within `toleranceSeconds` of now, in either direction (stricter
 * than stripe-node, which accepts future timestamps). Used by `payrail listen`.
 */
export function verifySignature(
  secret: string,
  header: string,
  payload: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  let timestamp = NaN;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.split('=', 2);
    if (key === 't') timestamp = Number(value);
    if (key === 'v1' && value) signatures.push(value);
  }
  if (!Number.isInteger(timestamp) || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(computeSignature(secret, timestamp, payload), 'utf8');
  return signatures.some((candidate) => {
    const given = Buffer.from(candidate, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
