import type { FastifyInstance, FastifyRequest } from 'fastify';
import { maskApiKey } from '../../domain/api-keys.js';
import { errors } from '../../domain/errors.js';
import { authenticateKey } from '../../services/accounts.js';
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
      const needed = `${config.resource ?? 'unknown'}:${request.method === 'GET' ? 'read' : 'write'}`;
      const granted = found.permissions ?? [];
      const writeCoversRead =
        needed.endsWith(':read') && granted.includes(needed.replace(':read', ':write'));
      if (!granted.includes(needed) && !writeCoversRead) throw errors.permissionDenied(needed);
    }
    request.apiKey = found;
    request.log = request.log.child({ account: found.accountId });
  });
}
