import { sql, type Selectable } from 'kysely';
import type { EventsTable, Tx } from '../schema.js';
import { paginate, whereCreated, type CreatedRange, type PageRequest } from '../pagination.js';

export type EventRow = Selectable<EventsTable>;

export function findEventByAccountAndId(tx: Tx, accountId: string, id: string) {
  return tx
    .selectFrom('events')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export interface EventFilter {
  /** Exact types or patterns with `*` wildcards (`payment_intent.*`); any of them matches. */
  types?: string[];
  created?: CreatedRange;
  /**
   * true: only events no delivery is still owed for; false: only events with a delivery pending
   * or given up (Stripe's `delivery_success`).
   */
  deliverySuccess?: boolean;
}

/** A type pattern as a LIKE pattern: `*` matches anything, `_` and `%` are literal. */
export function likePattern(pattern: string): string {
  return pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

export function listEventsByAccount(
  tx: Tx,
  accountId: string,
  filter: EventFilter,
  page: PageRequest,
) {
  return paginate<EventRow>(tx, 'events', accountId, page, (q) => {
    const types = filter.types;
    if (types && types.length > 0) {
      q = q.where((eb: any) =>
        eb.or(
          types.map((type) =>
            type.includes('*')
              ? sql<boolean>`type like ${likePattern(type)} escape '\\'`
              : eb('type', '=', type),
          ),
        ),
      );
    }
    if (filter.deliverySuccess !== undefined) {
      const owed = (eb: any) =>
        eb.exists(
          eb
            .selectFrom('webhook_deliveries as d')
            .select('d.id')
            .whereRef('d.event_id', '=', 'events.id')
            .where('d.status', 'in', ['pending', 'failed']),
        );
      q = q.where((eb: any) => (filter.deliverySuccess ? eb.not(owed(eb)) : owed(eb)));
    }
    return whereCreated(q, filter.created);
  });
}

/**
 * How many deliveries of each event are still owed a success (Stripe's `pending_webhooks`):
 * pending ones and those that gave up. Canceled deliveries (endpoint deleted) are not owed.
 */
export async function countPendingWebhooks(
  tx: Tx,
  accountId: string,
  eventIds: string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (eventIds.length === 0) return counts;
  const rows = await tx
    .selectFrom('webhook_deliveries')
    .select(['event_id', (eb) => eb.fn.countAll<number>().as('count')])
    .where('account_id', '=', accountId)
    .where('event_id', 'in', eventIds)
    .where('status', 'in', ['pending', 'failed'])
    .groupBy('event_id')
    .execute();
  for (const row of rows) counts.set(row.event_id, Number(row.count));
  return counts;
}
