import type { FastifyRequest } from 'fastify';
import type { PageRequest } from '../store/pagination.js';
import type { Tx } from '../store/schema.js';
import { errors } from '../domain/errors.js';
import { checkExpandPaths, expandList, expandObject, type ExpandScope } from '../wire/expand.js';
import { checkPermission } from './plugins/auth.js';
import type { Outcome } from './idempotency.js';

/**
 * Expansions read other resources, so they need the same permission as reading them directly:
 * a restricted key its `resource:read`, a publishable key may expand only payment methods.
 */
function expandScope(request: FastifyRequest): ExpandScope {
  const key = request.apiKey!;
  return {
    accountId: key.accountId,
    checkRead(objectType) {
      if (key.kind === 'publishable' && objectType !== 'payment_method') {
        throw errors.secretKeyRequired();
      }
      checkPermission(key, `${objectType}s`, 'read');
    },
  };
}

/** A 200 answer with the object, expanded as the request asked. */
export async function renderObject(
  tx: Tx,
  request: FastifyRequest,
  object: Record<string, unknown>,
  expand: string[] | undefined,
): Promise<Outcome> {
  checkExpandPaths(expand);
  await expandObject(tx, expandScope(request), object, expand);
  return { status: 200, body: object };
}

/** A 200 answer with a list object whose items are expanded by `data.x` paths. */
export async function renderList(
  tx: Tx,
  request: FastifyRequest,
  list: { data: unknown[] },
  expand: string[] | undefined,
): Promise<Outcome> {
  checkExpandPaths(expand);
  await expandList(tx, expandScope(request), list.data as Record<string, unknown>[], expand);
  return { status: 200, body: list };
}

/** Stripe's pagination parameters as a page request; 10 items unless asked otherwise. */
export function pageOf(params: {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
}): PageRequest {
  return {
    limit: params.limit ?? 10,
    startingAfter: params.starting_after,
    endingBefore: params.ending_before,
  };
}

/** Answers a read: no transaction and no idempotency, since a GET changes nothing. */
export async function runRead(
  store: { db: Tx },
  reply: import('fastify').FastifyReply,
  work: (tx: Tx) => Promise<Outcome>,
) {
  const outcome = await work(store.db);
  return reply.status(outcome.status).send(outcome.body);
}
