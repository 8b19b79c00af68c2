import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../domain/errors.js';
import type { BucketLimit, BucketStore } from '../rate-limit/bucket-store.js';

export interface RateLimitOptions {
  store: BucketStore;
  /** Per API key (per client address for requests without one); null: no limit. */
  perKey: BucketLimit | null;
  /** Failed authentications per client address; null: no limit. */
  authFailures: BucketLimit | null;
}

/** N requests per second with a burst of N: a client may spend one second's worth at once. */
export function perSecond(n: number): BucketLimit | null {
  return n > 0 ? { ratePerSecond: n, burst: n } : null;
}

/**
 * Token-bucket rate limiting, answered with Stripe's 429 (`rate_limit`) and a Retry-After
 * header. It must be registered after auth (it keys on the authenticated API key) and runs as a
 * preHandler, so it refuses before any route handler, and so before idempotency is claimed: a
 * 429 is never stored as a key's result. A client address that fails authentication too often
 * is refused in onRequest, before its key is even looked up, so guessing keys is slow.
 *
 * Written by hand rather than with @fastify/rate-limit because two limits with different keys
 * (API key after auth, client address before it) and a pluggable atomic store were needed.
 */
export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  const { store, perKey, authFailures } = options;

  if (authFailures) {
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.config?.auth === 'none') return;
      await takeOrRefuse(request, reply, store, `auth:${request.ip}`, authFailures, 0);
    });
    // Counted in onSend, before the answer leaves, so a client's next try already sees it.
    app.addHook('onSend', async (request) => {
      if (!request.authFailed) return;
      await safely(request, () => store.take(`auth:${request.ip}`, authFailures, 1));
    });
  }

  if (perKey) {
    app.addHook('preHandler', async (request, reply) => {
      const bucket = request.apiKey ? `key:${request.apiKey.keyId}` : `ip:${request.ip}`;
      await takeOrRefuse(request, reply, store, bucket, perKey, 1);
    });
  }

  app.addHook('onClose', async () => {
    await store.close();
  });
}

async function takeOrRefuse(
  request: FastifyRequest,
  reply: FastifyReply,
  store: BucketStore,
  bucket: string,
  limit: BucketLimit,
  cost: number,
): Promise<void> {
  const result = await safely(request, () => store.take(bucket, limit, cost));
  if (!result || result.allowed) return;
  reply.header('Retry-After', String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))));
  throw errors.rateLimited();
}

/**
 * A store that cannot answer (Redis down) lets the request through: refusing all traffic
 * because the limiter is unavailable would turn a cache outage into a payment outage.
 */
async function safely<T>(request: FastifyRequest, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    request.log.warn({ err: error }, 'rate limiter unavailable; request allowed');
    return undefined;
  }
}
