import type { WebhookEndpointRow } from '../store/repositories/webhook-endpoints.js';
import type {
  WebhookAttemptRow,
  WebhookDeliveryRow,
} from '../store/repositories/webhook-deliveries.js';
import { json } from './list.js';

/**
 * A webhook endpoint in Stripe's shape (§3.9). The signing secret is included only when
 * `withSecret` is set, which only the create response does.
 */
export function webhookEndpointToWire(
  row: WebhookEndpointRow,
  withSecret = false,
): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    id: row.id,
    object: 'webhook_endpoint',
    api_version: row.api_version,
    application: null,
    created: row.created,
    description: row.description,
    enabled_events: json(row.enabled_events),
    livemode: false,
    metadata: json(row.metadata),
  };
  if (withSecret) wire.secret = row.secret;
  wire.status = row.status;
  wire.url = row.url;
  return wire;
}

export function deletedWebhookEndpointToWire(id: string) {
  return { id, object: 'webhook_endpoint', deleted: true };
}

/** A Payrail extension object (docs/webhooks.md): one delivery and its attempts. */
export function webhookDeliveryToWire(
  row: WebhookDeliveryRow,
  attempts: WebhookAttemptRow[],
): Record<string, unknown> {
  return {
    id: row.id,
    object: 'webhook_delivery',
    attempt_count: row.attempts,
    attempts: attempts.map((a) => ({
      created: a.created,
      duration_ms: a.duration_ms,
      error: a.error,
      response_status: a.response_status,
    })),
    created: row.created,
    event: row.event_id,
    next_attempt_at: row.status === 'pending' ? Math.ceil(row.next_attempt_at / 1000) : null,
    status: row.status,
    webhook_endpoint: row.endpoint_id,
  };
}
