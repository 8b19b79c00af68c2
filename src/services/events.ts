import { errors } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type { PageRequest } from '../store/pagination.js';
import {
  countPendingWebhooks,
  findEventByAccountAndId,
  listEventsByAccount,
  type EventFilter,
  type EventRow,
} from '../store/repositories/events.js';
import { insertWebhookDelivery } from '../store/repositories/webhook-deliveries.js';
import { listEnabledWebhookEndpoints } from '../store/repositories/webhook-endpoints.js';
import type { Tx } from '../store/schema.js';
import { eventToWire } from '../wire/events.js';
import type { CallContext } from './context.js';
import { requireWebhookEndpoint } from './webhook-endpoints.js';

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

  await queueDeliveries(tx, ctx.accountId, id, type, ctx.now);
  return id;
}

/** Queues a delivery to each enabled endpoint that wants `type`; returns how many. */
async function queueDeliveries(
  tx: Tx,
  accountId: string,
  eventId: string,
  type: string,
  nowSeconds: number,
): Promise<number> {
  const endpoints = await listEnabledWebhookEndpoints(tx, accountId);
  let queued = 0;
  for (const endpoint of endpoints) {
    if (!eventMatches(JSON.parse(endpoint.enabled_events) as string[], type)) continue;
    await insertWebhookDelivery(tx, accountId, eventId, endpoint.id, nowSeconds);
    queued++;
  }
  return queued;
}

/** Events in their wire shape, with `pending_webhooks` counted in one query. */
export async function eventsToWire(tx: Tx, accountId: string, rows: EventRow[]) {
  const pending = await countPendingWebhooks(
    tx,
    accountId,
    rows.map((row) => row.id),
  );
  return rows.map((row) => eventToWire(row, pending.get(row.id) ?? 0));
}

async function requireEvent(tx: Tx, accountId: string, id: string): Promise<EventRow> {
  const row = await findEventByAccountAndId(tx, accountId, id);
  if (!row) throw errors.resourceMissing('event', id);
  return row;
}

export async function retrieveEvent(tx: Tx, ctx: CallContext, id: string) {
  const [wire] = await eventsToWire(tx, ctx.accountId, [await requireEvent(tx, ctx.accountId, id)]);
  return wire;
}

export async function listEvents(tx: Tx, ctx: CallContext, filter: EventFilter, page: PageRequest) {
  const result = await listEventsByAccount(tx, ctx.accountId, filter, page);
  return { data: await eventsToWire(tx, ctx.accountId, result.rows), hasMore: result.hasMore };
}

/**
 * Queues a new delivery of an event (a Payrail extension): to the one endpoint named, or to
 * every enabled endpoint that wants its type. Returns the event as it now stands.
 */
export async function resendEvent(
  tx: Tx,
  ctx: CallContext,
  id: string,
  endpointId: string | undefined,
) {
  const event = await requireEvent(tx, ctx.accountId, id);
  if (endpointId !== undefined) {
    const endpoint = await requireWebhookEndpoint(
      tx,
      ctx.accountId,
      endpointId,
      'webhook_endpoint',
    );
    if (endpoint.status !== 'enabled') {
      throw errors.invalidRequest(
        `Webhook endpoint ${endpointId} is disabled; enable it to resend events to it.`,
        'webhook_endpoint',
      );
    }
    await insertWebhookDelivery(tx, ctx.accountId, event.id, endpoint.id, ctx.now);
  } else {
    await queueDeliveries(tx, ctx.accountId, event.id, event.type, ctx.now);
  }
  return retrieveEvent(tx, ctx, id);
}
