import type { FastifyRequest } from 'fastify';
import type { AuthenticatedKey } from '../services/accounts.js';
import type { CallContext } from '../services/context.js';

/** How a route may be called: by secret keys only (default), also publishable keys, or no key. */
export type RouteAuth = 'secret' | 'publishable' | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** The resource a restricted key needs `:read` (GET) or `:write` permission on. */
    resource?: string;
    /** 'sameorigin' lets pages of this origin frame the route (the 3-D Secure page); else DENY. */
    frame?: 'sameorigin';
  }
  interface FastifyRequest {
    apiKey?: AuthenticatedKey;
    /** Set by auth when the request had no key or an unknown one. */
    authFailed?: boolean;
    /** Unix seconds when the request arrived. */
    receivedAt: number;
  }
}

/** The service-level context of an authenticated request. */
export function callContext(request: FastifyRequest): CallContext {
  if (!request.apiKey) throw new Error('callContext on an unauthenticated request');
  const key = request.headers['idempotency-key'];
  return {
    accountId: request.apiKey.accountId,
    requestId: request.id,
    idempotencyKey: typeof key === 'string' && request.method === 'POST' ? key : undefined,
    now: request.receivedAt,
  };
}
