/** The longest wait between two attempts of one delivery. */
export const MAX_DELAY_MS = 12 * 3600 * 1000;
/** Retries stop once the schedule has spanned this long (Stripe retries for up to three days). */
export const RETRY_SPAN_MS = 3 * 24 * 3600 * 1000;

/**
 * Milliseconds to wait after the `failedAttempts`-th failure (1-based): `baseMs` doubling each
 * time, up to 20% jitter added so that endpoints failing together do not retry together, and
 * the whole capped at MAX_DELAY_MS. `random` is injectable for tests.
 */
export function retryDelayMs(failedAttempts: number, baseMs: number, random = Math.random): number {
  const exponent = Math.min(failedAttempts - 1, 40);
  const delay = baseMs * 2 ** exponent;
  return Math.round(Math.min(MAX_DELAY_MS, delay * (1 + 0.2 * random())));
}

/**
 * How many attempts a delivery gets in all: the first, then retries until the un-jittered
 * delays add up to RETRY_SPAN_MS. With the default 60 s base that is 16 attempts.
 */
export function maxAttemptsFor(baseMs: number): number {
  let total = 0;
  let attempts = 1;
  while (total < RETRY_SPAN_MS && attempts < 100) {
    total += Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.min(attempts - 1, 40));
    attempts++;
  }
  return attempts;
}
