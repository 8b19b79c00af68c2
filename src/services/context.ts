import type { Store } from '../store/store.js';
import type { Processor } from '../processor/processor.js';

/** Time source, injectable so tests can move it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** What every service needs from the process: built once in main.ts. */
export interface Services {
  store: Store;
  clock: Clock;
  processor: Processor;
  /** Secret for card fingerprints, so equal cards match only within this deployment. */
  fingerprintKey: string;
  /** Base URL of this server as payers' browsers reach it (for the 3-D Secure page). */
  publicUrl: string;
}

/** Who is calling, and for which request: passed to every use case. */
export interface CallContext {
  accountId: string;
  requestId: string;
  idempotencyKey?: string;
  /** Unix seconds of this request, read once so one request has one time. */
  now: number;
}
