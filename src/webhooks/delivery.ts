import type { Clock } from '../services/context.js';
import { countPendingWebhooks, findEventByAccountAndId } from '../store/repositories/events.js';
import {
  claimDueDeliveries,
  finishDeliveryAttempt,
  hasDueDelivery,
  type ClaimedDelivery,
  type DeliveryUpdate,
} from '../store/repositories/webhook-deliveries.js';
import { findWebhookEndpointByAccountAndId } from '../store/repositories/webhook-endpoints.js';
import type { Store } from '../store/store.js';
import { eventToWire } from '../wire/events.js';
import { maxAttemptsFor, retryDelayMs } from './backoff.js';
import { postSigned, type PostResult } from './send.js';

export interface WebhookWorkerOptions {
  /** Pause between polls when no delivery was due. */
  pollIntervalMs: number;
  /** How long one POST may take before it counts as failed. */
  timeoutMs: number;
  /** Delay after the first failure; it doubles with each further failure (capped at 12 h). */
  backoffBaseMs: number;
  /** Attempts in all before a delivery is marked failed (about three days of retries). */
  maxAttempts: number;
  /** Most deliveries this worker sends at once. */
  concurrency: number;
}

/** Logs what the worker cannot report to anyone else (pino's shape, or nothing). */
export interface WorkerLog {
  error(object: object, message: string): void;
}

export const DEFAULT_BACKOFF_MS = 60_000;

/**
 * Worker settings from the environment: PAYRAIL_WEBHOOK_WORKER=off disables the in-server
 * worker; PAYRAIL_WEBHOOK_BACKOFF_MS, _POLL_MS, _TIMEOUT_MS and _MAX_ATTEMPTS tune it.
 */
export function webhookWorkerOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): WebhookWorkerOptions & { enabled: boolean } {
  const number = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return env[name] && Number.isFinite(value) && value > 0 ? value : fallback;
  };
  const backoffBaseMs = number('PAYRAIL_WEBHOOK_BACKOFF_MS', DEFAULT_BACKOFF_MS);
  return {
    enabled: env.PAYRAIL_WEBHOOK_WORKER !== 'off',
    pollIntervalMs: number('PAYRAIL_WEBHOOK_POLL_MS', 200),
    timeoutMs: number('PAYRAIL_WEBHOOK_TIMEOUT_MS', 10_000),
    backoffBaseMs,
    maxAttempts: number('PAYRAIL_WEBHOOK_MAX_ATTEMPTS', maxAttemptsFor(backoffBaseMs)),
    concurrency: 10,
  };
}

/**
 * Delivers the webhook outbox: claims due deliveries, POSTs each signed event to its endpoint
 * outside any transaction, and records the attempt with the delivery's next state. Any number
 * of workers (in servers or `payrail webhooks work`) may run against one database.
 */
export class WebhookWorker {
  private stopped = true;
  private loopDone: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Deliveries being sent; each is bounded by timeoutMs, and there are at most `concurrency`. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: WebhookWorkerOptions,
    private readonly log?: WorkerLog,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loopDone = this.loop();
  }

  /** Stops polling and waits for the deliveries in flight (each bounded by timeoutMs). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.loopDone;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const free = this.options.concurrency - this.inFlight.size;
      let claimed = 0;
      if (free > 0) {
        try {
          claimed = await this.claimAndSend(free);
        } catch (error) {
          // The loop outlives a failed poll (database restarting, lock timeout): log and retry.
          this.log?.error({ err: error }, 'webhook poll failed');
        }
      }
      // Poll again at once only while a backlog fills every free place.
      if (!this.stopped && (free === 0 || claimed < free)) await this.sleep();
    }
    await Promise.all(this.inFlight);
  }

  /** Waits a poll interval, or less when a delivery finishes and frees a place. */
  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, this.options.pollIntervalMs);
    });
  }

  /**
   * Claims up to `limit` due deliveries and starts sending them without waiting, so one slow
   * endpoint holds one place rather than the whole worker. Returns how many were claimed.
   */
  private async claimAndSend(limit: number): Promise<number> {
    const nowMs = this.clock.nowMs();
    // The lease outlasts the POST, so a live worker never loses a claim it is still working on.
    const leaseMs = this.options.timeoutMs + 60_000;
    if (!(await hasDueDelivery(this.store.db, nowMs))) return 0;
    const claims = await this.store.transaction((tx) =>
      claimDueDeliveries(tx, this.store.dialect, nowMs, leaseMs, limit),
    );
    for (const claim of claims) {
      const sending: Promise<void> = this.deliver(claim)
        .catch((error: unknown) => {
          // Its lease runs out and another poll sends it again.
          this.log?.error({ err: error, delivery: claim.row.id }, 'webhook delivery failed');
        })
        .finally(() => {
          this.inFlight.delete(sending);
          this.wake?.();
        });
      this.inFlight.add(sending);
    }
    return claims.length;
  }

  private async deliver(claim: ClaimedDelivery): Promise<void> {
    const { row } = claim;
    const db = this.store.db;
    const endpoint = await findWebhookEndpointByAccountAndId(db, row.account_id, row.endpoint_id);
    const event = await findEventByAccountAndId(db, row.account_id, row.event_id);
    if (!endpoint || endpoint.status !== 'enabled' || !event) {
      // Deleted or disabled since the event: nothing is owed to it any more.
      const update: DeliveryUpdate = {
        status: 'canceled',
        attempts: row.attempts,
        nextAttemptAtMs: row.next_attempt_at,
      };
      await this.store.transaction((tx) => finishDeliveryAttempt(tx, claim, update, null));
      return;
    }

    const pending = await countPendingWebhooks(db, row.account_id, [event.id]);
    const payload = JSON.stringify(eventToWire(event, pending.get(event.id) ?? 0), null, 2);
    const startedMs = this.clock.nowMs();
    const result = await postSigned(endpoint.url, endpoint.secret, payload, {
      timestampSeconds: Math.floor(startedMs / 1000),
      timeoutMs: this.options.timeoutMs,
    });
    const update = this.nextState(row.attempts + 1, result);
    const attempt = {
      created: Math.floor(startedMs / 1000),
      response_status: result.status,
      error: result.error,
      duration_ms: result.durationMs,
    };
    await this.store.transaction((tx) => finishDeliveryAttempt(tx, claim, update, attempt));
  }

  private nextState(attempts: number, result: PostResult): DeliveryUpdate {
    const nowMs = this.clock.nowMs();
    if (result.ok) return { status: 'succeeded', attempts, nextAttemptAtMs: nowMs };
    const gaveUp = attempts >= this.options.maxAttempts;
    if (gaveUp) return { status: 'failed', attempts, nextAttemptAtMs: nowMs };
    const delay = retryDelayMs(attempts, this.options.backoffBaseMs);
    return { status: 'pending', attempts, nextAttemptAtMs: nowMs + delay };
  }
}
