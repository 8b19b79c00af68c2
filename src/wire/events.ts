import type { EventRow } from '../store/repositories/events.js';
import { json } from './list.js';

/**
 * An event in Stripe's shape (§3.8). `pendingWebhooks` is the number of this event's
 * deliveries not yet acknowledged by a 2xx.
 */
export function eventToWire(row: EventRow, pendingWebhooks: number): Record<string, unknown> {
  return {
    id: row.id,
    object: 'event',
    api_version: row.api_version,
    created: row.created,
    data: json(row.data),
    livemode: false,
    pending_webhooks: pendingWebhooks,
    request: { id: row.request_id, idempotency_key: row.idempotency_key },
    type: row.type,
  };
}
