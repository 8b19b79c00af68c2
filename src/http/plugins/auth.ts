import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashApiKey, maskApiKey } from '../../domain/api-keys.js';
import { errors } from '../../domain/errors.js';
import { authenticateKey, type AuthenticatedKey } from '../../services/accounts.js';
import type { Store } from '../../store/store.js';

/**
 * How long a process trusts a key it has looked up. A key revoked in the database (by any
 * process) stops working here within this time; the lookup it saves was a tenth of a
 * customer create's CPU time under load.
 */
const KEY_CACHE_TTL_MS = 1000;
/** Live keys are few; the bound only stops a flood of distinct valid keys from growing it. */
const KEY_CACHE_MAX = 1000;

/** Live keys by hash, each trusted until its `until` (ms). Unknown keys are never cached. */
function keyCache(store: Store, nowMs: () => number) {
  const cache = new Map<string, { found: AuthenticatedKey; until: number }>();
  return async (key: string, now: number): Promise<AuthenticatedKey | undefined> => {
    const hash = hashApiKey(key);
    const cached = cache.get(hash);
    if (cached && cached.until > nowMs()) {
      const { found } = cached;
      return { ...found, expired: found.expiresAt !== null && found.expiresAt <= now };
    }
    const found = await authenticateKey(store, key, now);
    if (cache.size >= KEY_CACHE_MAX) cache.clear();
    if (found) cache.set(hash, { found, until: nowMs() + KEY_CACHE_TTL_MS });
    else cache.delete(hash);
    return found;
  };
}

/** The key from `Authorization: Bearer KEY` or HTTP Basic with the key as user name. */
export function readApiKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value.trim();
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.split(':', 1)[0];
  }
  return undefined;
}

/**
 * Authenticates every /v1 request before its handler. Routes declare in their config which keys
 * may call them; publishable keys are refused everywhere else with secret_key_required, and
 * restricted keys need the route's `resource:read` (GET) or `resource:write` permission.
 */
export function registerAuth(app: FastifyInstance, store: Store): void {
  const lookUpKey = keyCache(store, () => performance.now());
  app.addHook('preHandler', async (request) => {
    const config = request.routeOptions.config;
    if (!config || config.auth === 'none' || !request.routeOptions.url) return;
    const key = readApiKey(request);
    // Marked for the rate limiter: these, unlike a known key used in the wrong place, are what
    // guessing looks like.
    request.authFailed = !key;
    if (!key) throw errors.missingApiKey();
    const found = await lookUpKey(key, request.receivedAt);
    request.authFailed = !found;
    if (!found) throw errors.invalidApiKey(maskApiKey(key));
    if (found.expired) throw errors.expiredApiKey(maskApiKey(key));
    if (found.kind === 'publishable' && config.auth !== 'publishable')
      throw errors.secretKeyRequired();
    if (found.kind === 'restricted') {
      checkPermission(
        found,
        config.resource ?? 'unknown',
        request.method === 'GET' ? 'read' : 'write',
      );
    }
    request.apiKey = found;
    // The request's logger is already its own child (it carries the request id): binding the
    // account onto it costs less than a child of a child per request.
    const log = request.log as typeof request.log & { setBindings?: (b: object) => void };
    if (typeof log.setBindings === 'function') {
      log.setBindings({ account: found.accountId });
    } else {
      request.log = request.log.child({ account: found.accountId });
    }
  });
}

/**
 * Refuses (403) a restricted key without `resource:access`; `write` includes `read`. Secret and
 * publishable keys pass: what publishable keys may call is decided per route.
 */
export function checkPermission(
  key: AuthenticatedKey,
  resource: string,
  access: 'read' | 'write',
): void {
  if (key.kind !== 'restricted') return;
  const granted = key.permissions ?? [];
  const needed = `${resource}:${access}`;
  if (granted.includes(needed) || (access === 'read' && granted.includes(`${resource}:write`))) {
    return;
  }
  throw errors.permissionDenied(needed);
}
