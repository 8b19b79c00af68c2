import type { FastifyInstance, FastifyRequest } from 'fastify';
import { maskApiKey } from '../../domain/api-keys.js';
import { errors } from '../../domain/errors.js';
import { authenticateKey, type AuthenticatedKey } from '../../services/accounts.js';
import type { Store } from '../../store/store.js';

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
  app.addHook('preHandler', async (request) => {
    const config = request.routeOptions.config;
    if (!config || config.auth === 'none' || !request.routeOptions.url) return;
    const key = readApiKey(request);
    // Marked for the rate limiter: these, unlike a known key used in the wrong place, are what
    // guessing looks like.
    request.authFailed = !key;
    if (!key) throw errors.missingApiKey();
    const found = await authenticateKey(store, key, request.receivedAt);
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
    request.log = request.log.child({ account: found.accountId });
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
