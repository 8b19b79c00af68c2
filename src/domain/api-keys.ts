import { createHash } from 'node:crypto';
import { randomBase62 } from './ids.js';

export type KeyKind = 'secret' | 'publishable' | 'restricted';

const PREFIX: Record<KeyKind, string> = {
  secret: 'sk_test_',
  publishable: 'pk_test_',
  restricted: 'rk_test_',
};

/** A new random API key of the given kind. */
export function generateApiKey(kind: KeyKind): string {
  return PREFIX[kind] + randomBase62(32);
}

/** The kind a key claims by its prefix, or undefined for anything else. */
export function keyKindOf(key: string): KeyKind | undefined {
  if (key.startsWith('sk_test_') || key.startsWith('sk_live_')) return 'secret';
  if (key.startsWith('pk_test_') || key.startsWith('pk_live_')) return 'publishable';
  if (key.startsWith('rk_test_') || key.startsWith('rk_live_')) return 'restricted';
  return undefined;
}

/** Keys are stored only as this hash. Keys are long and random, so a fast hash is enough. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** `sk_test_****…abcd`: how a key may appear in messages and logs. */
export function maskApiKey(key: string): string {
  const kind = keyKindOf(key);
  const prefix = kind ? key.slice(0, 8) : '';
  const hidden = Math.max(0, Math.min(key.length - prefix.length - 4, 24));
  return `${prefix}${'*'.repeat(hidden)}${key.slice(-4)}`;
}

const PERMISSION = /^[a-z][a-z_]*:(read|write)$/;

/** Whether `text` is a restricted key's permission: `resource:read` or `resource:write`. */
export function isPermission(text: string): boolean {
  return PERMISSION.test(text);
}
