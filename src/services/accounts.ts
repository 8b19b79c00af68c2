import { generateApiKey, hashApiKey, keyKindOf, type KeyKind } from '../domain/api-keys.js';
import { newId } from '../domain/ids.js';
import { assert } from '../domain/assert.js';
import { isUniqueViolation, type Store } from '../store/store.js';
import type { CallContext } from './context.js';
import type { AccountsTable, ApiKeysTable, Tx } from '../store/schema.js';

/** Stripe's US card pricing: 2.9% + 30 minor units. */
export const DEFAULT_FEE_RATE_BPS = 290;
export const DEFAULT_FEE_FIXED = 30;
/** Funds from a charge become available two days after capture, as in Stripe's test mode. */
export const DEFAULT_PAYOUT_DELAY_SECONDS = 2 * 24 * 3600;

export interface CreatedAccount {
  id: string;
  secret_key: string;
  publishable_key: string;
}

export interface AuthenticatedKey {
  accountId: string;
  keyId: string;
  kind: KeyKind;
  /** `resource:read|write` for restricted keys; null means every permission of its kind. */
  permissions: string[] | null;
  expired: boolean;
  /** Unix seconds after which the key stops working, or null. */
  expiresAt: number | null;
}

/** Inserts a key row inside a caller's transaction; returns its id. Only the hash is stored. */
export async function insertKey(
  tx: Tx,
  accountId: string,
  kind: KeyKind,
  key: string,
  now: number,
  permissions: string[] | null = null,
): Promise<string> {
  const row: ApiKeysTable = {
    id: newId('key'),
    account_id: accountId,
    kind,
    key_hash: hashApiKey(key),
    key_hint: key.slice(-4),
    permissions: permissions ? JSON.stringify(permissions) : null,
    created: now,
    expires_at: null,
    revoked_at: null,
  };
  await tx.insertInto('api_keys').values(row).execute();
  return row.id;
}

/**
 * Creates an account with a secret and a publishable key. Given keys are used as they are
 * (the PAYRAIL_*_KEY variables); otherwise random ones are made. Keys are returned once and
 * stored only as hashes.
 */
export async function createAccount(
  store: Store,
  now: number,
  keys: { secretKey?: string; publishableKey?: string } = {},
): Promise<CreatedAccount> {
  const secretKey = keys.secretKey ?? generateApiKey('secret');
  const publishableKey = keys.publishableKey ?? generateApiKey('publishable');
  const account: AccountsTable = {
    id: newId('acct'),
    name: null,
    created: now,
    fee_rate_bps: DEFAULT_FEE_RATE_BPS,
    fee_fixed: DEFAULT_FEE_FIXED,
    payout_delay_seconds: DEFAULT_PAYOUT_DELAY_SECONDS,
  };
  await store.transaction(async (tx) => {
    await tx.insertInto('accounts').values(account).execute();
    await insertKey(tx, account.id, 'secret', secretKey, now);
    await insertKey(tx, account.id, 'publishable', publishableKey, now);
  });
  return { id: account.id, secret_key: secretKey, publishable_key: publishableKey };
}

/** Adds a key to an existing account; returns its id. */
export async function addApiKey(
  store: Store,
  accountId: string,
  kind: KeyKind,
  key: string,
  now: number,
  permissions: string[] | null = null,
): Promise<string> {
  return store.transaction((tx) => insertKey(tx, accountId, kind, key, now, permissions));
}

/** Finds the live key with this exact text, or undefined. Revoked keys are not found. */
export async function authenticateKey(
  store: Store,
  key: string,
  now: number,
): Promise<AuthenticatedKey | undefined> {
  const kind = keyKindOf(key);
  if (!kind) return undefined;
  const row = await store.db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_hash', '=', hashApiKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row || row.kind !== kind) return undefined;
  return {
    accountId: row.account_id,
    keyId: row.id,
    kind: row.kind,
    permissions: row.permissions ? (JSON.parse(row.permissions) as string[]) : null,
    expired: row.expires_at !== null && row.expires_at <= now,
    expiresAt: row.expires_at,
  };
}

/** Pinned keys must look like keys this server makes: the test-mode prefix and some text. */
const PINNED_KEY = {
  secret: /^sk_test_[A-Za-z0-9_]{6,200}$/,
  publishable: /^pk_test_[A-Za-z0-9_]{6,200}$/,
};

/**
 * @throws Error naming the variable when a pinned key is malformed: the server must not start
 * with a key no request could ever use.
 */
export function checkPinnedKeys(keys: { secretKey?: string; publishableKey?: string }): void {
  if (keys.secretKey !== undefined && !PINNED_KEY.secret.test(keys.secretKey)) {
    throw new Error('PAYRAIL_SECRET_KEY must be sk_test_ followed by at least 6 letters or digits');
  }
  if (keys.publishableKey !== undefined && !PINNED_KEY.publishable.test(keys.publishableKey)) {
    throw new Error(
      'PAYRAIL_PUBLISHABLE_KEY must be pk_test_ followed by at least 6 letters or digits',
    );
  }
}

/** The first account made: the one start-up keys belong to. */
async function findDefaultAccountId(store: Store): Promise<string | undefined> {
  const row = await store.db
    .selectFrom('accounts')
    .select('id')
    .orderBy('created')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

/**
 * The start-up account. PAYRAIL_SECRET_KEY / PAYRAIL_PUBLISHABLE_KEY, when set, are keys of the
 * default (first) account: added to it when missing, or the account is made with them when the
 * database has none. Without them, a database with no account gets one with random keys, which
 * the caller prints once. Returns the account when one was created.
 */
export async function ensureDefaultAccount(
  store: Store,
  now: number,
  keys: { secretKey?: string; publishableKey?: string },
): Promise<{ account: CreatedAccount; created: boolean } | undefined> {
  checkPinnedKeys(keys);
  const defaultAccountId = await findDefaultAccountId(store);
  if (defaultAccountId === undefined) {
    return { account: await createAccount(store, now, keys), created: true };
  }
  for (const [kind, key] of [
    ['secret', keys.secretKey],
    ['publishable', keys.publishableKey],
  ] as const) {
    if (key && !(await authenticateKey(store, key, now))) {
      await addApiKey(store, defaultAccountId, kind, key, now).catch((error: unknown) => {
        if (!isUniqueViolation(error)) throw error;
        throw new Error(`The pinned ${kind} key was revoked; choose another one`);
      });
    }
  }
  return undefined;
}

/** The caller's own account. Its key was just authenticated, so a missing row is a bug. */
export async function retrieveAccount(tx: Tx, ctx: CallContext): Promise<AccountsTable> {
  const row = await tx
    .selectFrom('accounts')
    .selectAll()
    .where('id', '=', ctx.accountId)
    .executeTakeFirst();
  assert(row !== undefined, 'authenticated key of a missing account');
  return row;
}
