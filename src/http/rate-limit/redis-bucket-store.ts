import { Redis } from 'ioredis';
import type { BucketLimit, BucketStore, TakeResult } from './bucket-store.js';

/**
 * The token-bucket step of MemoryBucketStore, run atomically inside Redis so that every server
 * process shares one bucket per key. Time comes from Redis (TIME), not from the callers, so
 * processes with skewed clocks still agree. The key expires once the bucket would be full again.
 */
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
local elapsed = math.max(0, now - ts)
tokens = math.min(burst, tokens + elapsed * rate / 1000)
local needed = math.max(cost, 1)
local allowed = 0
local retry = 0
if tokens >= needed then
  allowed = 1
  tokens = tokens - cost
else
  retry = math.ceil((needed - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, retry}
`;

type TakeCommand = (
  key: string,
  rate: number,
  burst: number,
  cost: number,
) => Promise<[number, number]>;

/** Token buckets in Redis, shared by every server process pointed at the same Redis. */
export class RedisBucketStore implements BucketStore {
  private readonly redis: Redis;
  private readonly takeCommand: TakeCommand;

  private constructor(redis: Redis) {
    this.redis = redis;
    this.redis.defineCommand('payrailTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    const commands = this.redis as unknown as { payrailTakeToken: TakeCommand };
    this.takeCommand = commands.payrailTakeToken.bind(this.redis);
  }

  /**
   * Connects before the server starts, so a wrong --redis URL fails the start. Afterwards, while
   * Redis is unreachable, a take fails at once (no offline queue) and the plugin lets the request
   * through rather than holding every request until a reconnect.
   */
  static async connect(url: string, keyPrefix = 'payrail:rl:'): Promise<RedisBucketStore> {
    const redis = new Redis(url, {
      keyPrefix,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 5000,
    });
    // Failures reach callers as rejected commands; without a listener ioredis prints each one.
    redis.on('error', () => {});
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new Error(`cannot reach Redis for rate limits: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return new RedisBucketStore(redis);
  }

  async take(key: string, limit: BucketLimit, cost: number): Promise<TakeResult> {
    const [allowed, retryAfterMs] = await this.takeCommand(
      key,
      limit.ratePerSecond,
      limit.burst,
      cost,
    );
    return { allowed: allowed === 1, retryAfterMs: Number(retryAfterMs) };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
