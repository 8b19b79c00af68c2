import { newId } from '../domain/ids.js';
import type { Tx } from '../store/schema.js';
import type { CallContext } from './context.js';

export const API_VERSION = '2023-10-16';

/**
 * The top-level fields of `before` that differ in `after`, with their old values: Stripe's
 * `previous_attributes`. Nested objects are compared whole, as Stripe reports them whole.
 */
export function previousAttributes(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      changed[key] = before[key] ?? null;
  }
  return changed;
}

/** Whether an endpoint subscribed to `enabled` wants events of `type`. */
export function eventMatches(enabled: string[], type: string): boolean {
  return enabled.some(
    (pattern) =>
      pattern === '*' ||
      pattern === type ||
      (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))),
  );
}

/**
 * Records an event in the caller's transaction (the outbox) and queues one delivery per enabled
 * webhook endpoint that wants it. `object` is the resource's wire form at this moment.
 */
export async function emitEvent(
  tx: Tx,
  ctx: CallContext,
  type: string,
  object: Record<string, unknown>,
  previous?: Record<string, unknown>,
): Promise<string> {
  const id = newId('evt');
  const data: Record<string, unknown> = { object };
  if (previous) data.previous_attributes = previous;
  await tx
    .insertInto('events')
    .values({
      id,
      account_id: ctx.accountId,
      created: ctx.now,
      type,
      api_version: API_VERSION,
      data: JSON.stringify(data),
      request_id: ctx.requestId,
      idempotency_key: ctx.idempotencyKey ?? null,
    })
    .execute();

  const endpoints = await tx
    .selectFrom('webhook_endpoints')
    .select(['id', 'enabled_events'])
    .where('account_id', '=', ctx.accountId)
    .where('status', '=', 'enabled')
    .where('deleted', '=', 0)
    .execute();
  for (const endpoint of endpoints) {
    if (!eventMatches(JSON.parse(endpoint.enabled_events) as string[], type)) continue;
    await tx
      .insertInto('webhook_deliveries')
      .values({
        id: newId('whdel'),
        account_id: ctx.accountId,
        created: ctx.now,
        event_id: id,
        endpoint_id: endpoint.id,
        status: 'pending',
        attempts: 0,
        next_attempt_at: ctx.now * 1000,
        locked_until: null,
      })
      .execute();
  }
  return id;
}
