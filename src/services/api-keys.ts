import { generateApiKey, isPermission, type KeyKind } from '../domain/api-keys.js';
import { errors } from '../domain/errors.js';
import type { ApiKeysTable, Tx } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { addApiKey, insertKey } from './accounts.js';

/** A key as listings show it: never the key, only its last four characters. */
export interface ApiKeySummary {
  id: string;
  account: string;
  kind: KeyKind;
  hint: string;
  created: number;
  expires_at: number | null;
  revoked_at: number | null;
  permissions: string[] | null;
}

export interface CreatedKey {
  id: string;
  key: string;
}

function summaryOf(row: ApiKeysTable): ApiKeySummary {
  return {
    id: row.id,
    account: row.account_id,
    kind: row.kind,
    hint: row.key_hint,
    created: row.created,
    expires_at: row.expires_at,
    revoked_at: row.revoked_at,
    permissions: row.permissions ? (JSON.parse(row.permissions) as string[]) : null,
  };
}

async function requireAccount(store: Store, accountId: string): Promise<void> {
  const row = await store.db
    .selectFrom('accounts')
    .select('id')
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw errors.resourceMissing('account', accountId, 'account');
}

/**
 * Makes a secret key, or a restricted key when permissions are given (`customers:read`, …).
 * The key is returned once; only its hash is stored.
 */
export async function createApiKey(
  store: Store,
  accountId: string,
  permissions: string[] | undefined,
  now: number,
): Promise<CreatedKey> {
  await requireAccount(store, accountId);
  const restricted = permissions !== undefined && permissions.length > 0;
  for (const permission of permissions ?? []) {
    if (!isPermission(permission)) {
      throw errors.parameterInvalid(
        'permissions',
        `Invalid permission '${permission}': use resource:read or resource:write.`,
      );
    }
  }
  const key = generateApiKey(restricted ? 'restricted' : 'secret');
  const id = await addApiKey(
    store,
    accountId,
    restricted ? 'restricted' : 'secret',
    key,
    now,
    restricted ? [...new Set(permissions)] : null,
  );
  return { id, key };
}

/** Every key of the account, newest first, revoked ones included (marked). */
export async function listApiKeys(store: Store, accountId: string): Promise<ApiKeySummary[]> {
  await requireAccount(store, accountId);
  const rows = await store.db
    .selectFrom('api_keys')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(summaryOf);
}

async function requireLiveKey(tx: Tx, keyId: string, now: number): Promise<ApiKeysTable> {
  const row = await tx
    .selectFrom('api_keys')
    .selectAll()
    .where('id', '=', keyId)
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) throw errors.resourceMissing('api key', keyId);
  if (row.expires_at !== null && row.expires_at <= now) {
    throw errors.invalidRequest(`API key ${keyId} has already expired.`, 'id', 'api_key_expired');
  }
  return row;
}

/**
 * Replaces a key with a new one of the same kind and permissions. The old key keeps working for
 * `graceSeconds` (so deployments can switch over), then authenticates as expired.
 */
export async function rollApiKey(
  store: Store,
  keyId: string,
  graceSeconds: number,
  now: number,
): Promise<CreatedKey & { expires_at: number }> {
  if (!Number.isSafeInteger(graceSeconds) || graceSeconds < 0) {
    throw errors.parameterInvalid(
      'grace_seconds',
      'The grace period must be a whole number of seconds ≥ 0.',
    );
  }
  return store.transaction(async (tx) => {
    const old = await requireLiveKey(tx, keyId, now);
    const key = generateApiKey(old.kind);
    const expiresAt =
      old.expires_at === null ? now + graceSeconds : Math.min(old.expires_at, now + graceSeconds);
    await tx
      .updateTable('api_keys')
      .set({ expires_at: expiresAt })
      .where('id', '=', keyId)
      .execute();
    const permissions = old.permissions ? (JSON.parse(old.permissions) as string[]) : null;
    const id = await insertKey(tx, old.account_id, old.kind, key, now, permissions);
    return { id, key, expires_at: expiresAt };
  });
}

/** Revokes a key: it stops authenticating (401 invalid key) within a second (the key cache). */
export async function revokeApiKey(
  store: Store,
  keyId: string,
  now: number,
): Promise<ApiKeySummary> {
  return store.transaction(async (tx) => {
    const row = await tx
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', keyId)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null) throw errors.resourceMissing('api key', keyId);
    await tx.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', keyId).execute();
    return summaryOf({ ...row, revoked_at: now });
  });
}
