import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Bytes drawn from the crypto source at once: one call serves a few hundred ids. */
const POOL_BYTES = 8192;
let pool = randomBytes(POOL_BYTES);
let poolOffset = 0;

/** The next byte of the pool, refilled from the crypto source when used up; never reused. */
function nextRandomByte(): number {
  if (poolOffset === POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  return pool[poolOffset++];
}

/**
 * Random base62 text from the crypto source; rejection sampling keeps it unbiased. Bytes come
 * from a pool, as a randomBytes call per id cost more than the rest of making one.
 */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = nextRandomByte();
    if (byte < 248) out += BASE62[byte % 62];
  }
  return out;
}

export type IdPrefix =
  | 'acct'
  | 'cus'
  | 'pi'
  | 'pm'
  | 'ch'
  | 're'
  | 'txn'
  | 'evt'
  | 'we'
  | 'ctxn'
  | 'whdel'
  | 'key'
  | 'req';

/** A new object id: `cus_` + 14 characters, everything else `prefix_` + 24 (Stripe's shapes). */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase62(prefix === 'cus' || prefix === 'req' ? 14 : 24)}`;
}

/** The prefix of an object id, or undefined when it has none. */
export function idPrefix(id: string): string | undefined {
  const underscore = id.indexOf('_');
  return underscore > 0 ? id.slice(0, underscore) : undefined;
}
