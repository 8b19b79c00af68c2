/** A token bucket's shape: refilled continuously at `ratePerSecond`, holding at most `burst`. */
export interface BucketLimit {
  ratePerSecond: number;
  burst: number;
}

export interface TakeResult {
  allowed: boolean;
  /** When refused, milliseconds until the bucket holds enough tokens; 0 when allowed. */
  retryAfterMs: number;
}

/**
 * Where token buckets live. `take` is atomic per key: it refills the bucket for the time passed,
 * then takes `cost` tokens if at least max(cost, 1) are there. A cost of 0 only asks whether the
 * bucket is empty, without spending anything.
 */
export interface BucketStore {
  take(key: string, limit: BucketLimit, cost: number): Promise<TakeResult>;
  close(): Promise<void>;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Buckets kept before full ones are swept out, so many client addresses cannot grow memory. */
const SWEEP_THRESHOLD = 10_000;

/** Token buckets in this process's memory: right for one server process. */
export class MemoryBucketStore implements BucketStore {
  private readonly buckets = new Map<string, Bucket & { limit: BucketLimit }>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  async take(key: string, limit: BucketLimit, cost: number): Promise<TakeResult> {
    const now = this.nowMs();
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, updatedMs: now, limit };
    const result = takeFrom(bucket, limit, cost, now);
    if (!this.buckets.has(key) && this.buckets.size >= SWEEP_THRESHOLD) this.sweep(now);
    this.buckets.set(key, { ...bucket, limit });
    return result;
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }

  /** Drops buckets that have refilled completely: forgetting them changes nothing. */
  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const refilled =
        bucket.tokens + ((now - bucket.updatedMs) * bucket.limit.ratePerSecond) / 1000;
      if (refilled >= bucket.limit.burst) this.buckets.delete(key);
    }
  }
}

/** The token-bucket step, shared in meaning with the Redis script; mutates `bucket`. */
export function takeFrom(
  bucket: Bucket,
  limit: BucketLimit,
  cost: number,
  now: number,
): TakeResult {
  const elapsedMs = Math.max(0, now - bucket.updatedMs);
  bucket.tokens = Math.min(limit.burst, bucket.tokens + (elapsedMs * limit.ratePerSecond) / 1000);
  bucket.updatedMs = now;
  const needed = Math.max(cost, 1);
  if (bucket.tokens >= needed) {
    bucket.tokens -= cost;
    return { allowed: true, retryAfterMs: 0 };
  }
  return {
    allowed: false,
    retryAfterMs: Math.ceil(((needed - bucket.tokens) * 1000) / limit.ratePerSecond),
  };
}
