import { errors } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { mergeMetadata } from '../domain/metadata.js';
import {
  checkEnabledEvents,
  checkEndpointUrl,
  MAX_WEBHOOK_ENDPOINTS,
  newWebhookSecret,
} from '../domain/webhook-endpoints.js';
import type { PageRequest } from '../store/pagination.js';
import type { Tx } from '../store/schema.js';
import {
  cancelPendingDeliveriesOfEndpoint,
  listAttemptsOfDeliveries,
  listDeliveriesOfEndpoint,
} from '../store/repositories/webhook-deliveries.js';
import {
  countLiveWebhookEndpoints,
  findWebhookEndpointByAccountAndId,
  insertWebhookEndpoint,
  listWebhookEndpointsByAccount,
  updateWebhookEndpointByAccountAndId,
  type WebhookEndpointRow,
} from '../store/repositories/webhook-endpoints.js';
import { deletedWebhookEndpointToWire } from '../wire/webhook-endpoints.js';
import type { CallContext } from './context.js';

export interface WebhookEndpointInput {
  url?: string;
  enabled_events?: string[];
  description?: string | null;
  metadata?: Record<string, unknown> | '';
  disabled?: boolean;
  api_version?: string | null;
}

/** A live endpoint, or 404 resource_missing (deleted endpoints are gone, unlike customers). */
export async function requireWebhookEndpoint(
  tx: Tx,
  accountId: string,
  id: string,
  param = 'id',
  options: { lock?: boolean } = {},
): Promise<WebhookEndpointRow> {
  const row = await findWebhookEndpointByAccountAndId(tx, accountId, id, options);
  if (!row) {
    throw errors.resourceMissing('webhook endpoint', id, param, param === 'id' ? 404 : 400);
  }
  return row;
}

export async function createWebhookEndpoint(
  tx: Tx,
  ctx: CallContext,
  input: WebhookEndpointInput,
): Promise<WebhookEndpointRow> {
  checkEndpointUrl(input.url!);
  const enabled = checkEnabledEvents(input.enabled_events!);
  const metadata = mergeMetadata({}, input.metadata);
  if ((await countLiveWebhookEndpoints(tx, ctx.accountId)) >= MAX_WEBHOOK_ENDPOINTS) {
    throw errors.invalidRequest(
      `You have reached the maximum of ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints.`,
      'url',
    );
  }

  return insertWebhookEndpoint(tx, {
    id: newId('we'),
    account_id: ctx.accountId,
    created: ctx.now,
    url: input.url!,
    enabled_events: JSON.stringify(enabled),
    description: input.description ?? null,
    metadata: JSON.stringify(metadata),
    secret: newWebhookSecret(),
    status: input.disabled ? 'disabled' : 'enabled',
    api_version: input.api_version ?? null,
    deleted: 0,
  });
}

export function retrieveWebhookEndpoint(tx: Tx, ctx: CallContext, id: string) {
  return requireWebhookEndpoint(tx, ctx.accountId, id);
}

export async function updateWebhookEndpoint(
  tx: Tx,
  ctx: CallContext,
  id: string,
  input: WebhookEndpointInput,
): Promise<WebhookEndpointRow> {
  // Locked until commit, so that concurrent metadata merges apply one after the other.
  const before = await requireWebhookEndpoint(tx, ctx.accountId, id, 'id', { lock: true });
  const patch: Record<string, unknown> = {};
  if (input.url !== undefined) {
    checkEndpointUrl(input.url);
    patch.url = input.url;
  }
  if (input.enabled_events !== undefined) {
    patch.enabled_events = JSON.stringify(checkEnabledEvents(input.enabled_events));
  }
  if (input.description !== undefined) patch.description = input.description;
  if (input.metadata !== undefined) {
    patch.metadata = JSON.stringify(mergeMetadata(JSON.parse(before.metadata), input.metadata));
  }
  if (input.disabled !== undefined) patch.status = input.disabled ? 'disabled' : 'enabled';
  if (Object.keys(patch).length === 0) return before;

  const after = await updateWebhookEndpointByAccountAndId(tx, ctx.accountId, id, patch);
  if (!after) throw errors.resourceMissing('webhook endpoint', id);
  return after;
}

/** Deletes an endpoint; deliveries still owed to it are canceled. */
export async function deleteWebhookEndpoint(tx: Tx, ctx: CallContext, id: string) {
  await requireWebhookEndpoint(tx, ctx.accountId, id);
  await updateWebhookEndpointByAccountAndId(tx, ctx.accountId, id, { deleted: 1 });
  await cancelPendingDeliveriesOfEndpoint(tx, ctx.accountId, id);
  return deletedWebhookEndpointToWire(id);
}

export function listWebhookEndpoints(tx: Tx, ctx: CallContext, page: PageRequest) {
  return listWebhookEndpointsByAccount(tx, ctx.accountId, page);
}

/** One endpoint's deliveries, newest first, each with its attempts (a Payrail extension). */
export async function listEndpointDeliveries(
  tx: Tx,
  ctx: CallContext,
  endpointId: string,
  eventId: string | undefined,
  page: PageRequest,
) {
  await requireWebhookEndpoint(tx, ctx.accountId, endpointId);
  const deliveries = await listDeliveriesOfEndpoint(
    tx,
    ctx.accountId,
    { endpointId, eventId },
    page,
  );
  const ids = deliveries.rows.map((row) => row.id);
  const attempts = await listAttemptsOfDeliveries(tx, ctx.accountId, ids);
  return { ...deliveries, attempts };
}
