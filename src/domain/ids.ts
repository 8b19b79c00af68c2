import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random base62 text from the crypto source; rejection sampling keeps it unbiased. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
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
