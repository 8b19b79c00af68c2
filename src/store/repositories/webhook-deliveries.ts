import type { Insertable, Selectable } from 'kysely';
import { newId } from '../../domain/ids.js';
import type { Dialect } from '../store.js';
import type { Tx, WebhookAttemptsTable, WebhookDeliveriesTable } from '../schema.js';
import { paginate, type PageRequest } from '../pagination.js';

export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;

/** Queues one delivery of an event to an endpoint, due at once. */
export async function insertWebhookDelivery(
  tx: Tx,
  accountId: string,
  eventId: string,
  endpointId: string,
  nowSeconds: number,
): Promise<string> {
  const id = newId('whdel');
  await tx
    .insertInto('webhook_deliveries')
    .values({
      id,
      account_id: accountId,
      created: nowSeconds,
      event_id: eventId,
      endpoint_id: endpointId,
      status: 'pending',
      attempts: 0,
      next_attempt_at: nowSeconds * 1000,
      locked_until: null,
    })
    .execute();
  return id;
}

/** Stops every pending delivery to an endpoint (it was deleted): nothing is owed to it. */
export function cancelPendingDeliveriesOfEndpoint(tx: Tx, accountId: string, endpointId: string) {
  return tx
    .updateTable('webhook_deliveries')
    .set({ status: 'canceled', locked_until: null })
    .where('account_id', '=', accountId)
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .execute();
}

/** A claimed delivery: `lease` is the locked_until value that proves the claim is still ours. */
export interface ClaimedDelivery {
  row: WebhookDeliveryRow;
  lease: number;
}

function dueQuery(tx: Tx, nowMs: number, limit: number) {
  return tx
    .selectFrom('webhook_deliveries')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', nowMs)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', nowMs)]))
    .orderBy('next_attempt_at')
    .limit(limit);
}

/**
 * Whether any delivery is due. Run it outside a transaction before claiming, so that an idle
 * poll never takes SQLite's one write lock (and a read never opens the claim's transaction: on
 * SQLite a transaction that reads before it writes fails with SQLITE_BUSY when another process
 * wrote in between, instead of waiting).
 */
export async function hasDueDelivery(tx: Tx, nowMs: number): Promise<boolean> {
  return (await dueQuery(tx, nowMs, 1).select('id').executeTakeFirst()) !== undefined;
}

/**
 * Claims up to `limit` due deliveries for `leaseMs`, across all accounts, and returns them.
 * The claim is a compare-and-set on locked_until. On PostgreSQL the candidates are first locked
 * with FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint sets without waiting. On
 * SQLite one UPDATE … RETURNING picks and claims under the write lock, so a worker in another
 * process never reads a candidate that a concurrent claim is about to take. Run it in its own
 * short transaction, before any network I/O.
 */
export async function claimDueDeliveries(
  tx: Tx,
  dialect: Dialect,
  nowMs: number,
  leaseMs: number,
  limit: number,
): Promise<ClaimedDelivery[]> {
  const lease = nowMs + leaseMs;
  if (dialect === 'sqlite') {
    const rows = await tx
      .updateTable('webhook_deliveries')
      .set({ locked_until: lease })
      .where('id', 'in', dueQuery(tx, nowMs, limit).select('id'))
      .returningAll()
      .execute();
    return rows.map((row) => ({ row, lease }));
  }

  const candidates = await dueQuery(tx, nowMs, limit)
    .selectAll()
    .forUpdate()
    .skipLocked()
    .execute();
  const claimed: ClaimedDelivery[] = [];
  for (const row of candidates) {
    const result = await tx
      .updateTable('webhook_deliveries')
      .set({ locked_until: lease })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .where((eb) =>
        row.locked_until === null
          ? eb('locked_until', 'is', null)
          : eb('locked_until', '=', row.locked_until),
      )
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1)
      claimed.push({ row: { ...row, locked_until: lease }, lease });
  }
  return claimed;
}

/** What became of one attempt: the next state of its delivery. */
export interface DeliveryUpdate {
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  attempts: number;
  nextAttemptAtMs: number;
}

/**
 * Writes an attempt's outcome, if the claim (`lease`) is still ours; the attempt itself is
 * recorded either way, since it happened. Returns whether the delivery row was updated.
 */
export async function finishDeliveryAttempt(
  tx: Tx,
  claim: ClaimedDelivery,
  update: DeliveryUpdate,
  attempt: Omit<Insertable<WebhookAttemptsTable>, 'seq' | 'account_id' | 'delivery_id'> | null,
): Promise<boolean> {
  if (attempt) {
    await tx
      .insertInto('webhook_attempts')
      .values({ ...attempt, account_id: claim.row.account_id, delivery_id: claim.row.id })
      .execute();
  }
  const result = await tx
    .updateTable('webhook_deliveries')
    .set({
      status: update.status,
      attempts: update.attempts,
      next_attempt_at: update.nextAttemptAtMs,
      locked_until: null,
    })
    .where('id', '=', claim.row.id)
    .where('locked_until', '=', claim.lease)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface DeliveryFilter {
  endpointId: string;
  eventId?: string;
}

/** One endpoint's deliveries, newest first. */
export function listDeliveriesOfEndpoint(
  tx: Tx,
  accountId: string,
  filter: DeliveryFilter,
  page: PageRequest,
) {
  return paginate<WebhookDeliveryRow>(tx, 'webhook_deliveries', accountId, page, (q) => {
    q = q.where('endpoint_id', '=', filter.endpointId);
    return filter.eventId ? q.where('event_id', '=', filter.eventId) : q;
  });
}

/** The attempts of these deliveries, oldest first, grouped by delivery id. */
export async function listAttemptsOfDeliveries(
  tx: Tx,
  accountId: string,
  deliveryIds: string[],
): Promise<Map<string, WebhookAttemptRow[]>> {
  const byDelivery = new Map<string, WebhookAttemptRow[]>();
  if (deliveryIds.length === 0) return byDelivery;
  const rows = await tx
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('seq')
    .execute();
  for (const row of rows) {
    const list = byDelivery.get(row.delivery_id) ?? [];
    list.push(row);
    byDelivery.set(row.delivery_id, list);
  }
  return byDelivery;
}
