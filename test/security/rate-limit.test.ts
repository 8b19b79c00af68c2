import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryBucketStore, type BucketStore } from '../../src/http/rate-limit/bucket-store.js';
import { RedisBucketStore } from '../../src/http/rate-limit/redis-bucket-store.js';
import { form, startTestServer, type TestServer } from '../helpers/server.js';

const REDIS_URL = process.env.PAYRAIL_TEST_REDIS_URL;

/** Sends `n` requests at once and returns their statuses. */
async function burst(n: number, send: (i: number) => Promise<Response>): Promise<Response[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => send(i)));
}

describe('rate limiting', () => {
  describe('per API key', () => {
    let ts: TestServer;
    before(async () => {
      ts = await startTestServer({
        config: { rateLimitPerSecond: 2, authFailureRateLimitPerSecond: 0 },
      });
    });
    after(() => ts.close());

    it("answers Stripe's 429 rate_limit with Retry-After once the burst is spent", async () => {
      const started = Date.now();
      const responses = await burst(12, () => ts.fetch('/v1/customers'));
      const refilled = Math.ceil(((Date.now() - started) / 1000) * 2);
      const limited = responses.filter((r) => r.status === 429);
      const allowed = responses.filter((r) => r.status === 200).length;
      assert.ok(limited.length > 0);
      assert.ok(allowed >= 2 && allowed <= 2 + refilled, `${allowed} allowed`);
      const body = await limited[0].json();
      assert.equal(body.error.type, 'invalid_request_error');
      assert.equal(body.error.code, 'rate_limit');
      assert.ok(Number(limited[0].headers.get('retry-after')) >= 1);
    });

    it('counts each key separately', async () => {
      const other = ts.publishableKey; // a different key: its own bucket (answers 401 here)
      const response = await ts.fetch('/v1/customers', { key: other });
      assert.notEqual(response.status, 429);
    });

    it('never stores a 429 as the idempotent result of a key', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const key = `rl-${Date.now()}`;
      const send = () =>
        ts.fetch('/v1/customers', {
          ...form({ name: 'once' }),
          headers: { ...form({}).headers, 'idempotency-key': key },
        });
      await burst(4, () => ts.fetch('/v1/customers')); // spend the bucket
      const refused = await send();
      assert.equal(refused.status, 429);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const accepted = await send();
      assert.equal(accepted.status, 200);
      assert.equal(accepted.headers.get('idempotent-replayed'), null);
      assert.equal((await ts.stripe.customers.list()).data.length, 1);
    });
  });

  describe('failed authentications per client address', () => {
    let ts: TestServer;
    before(async () => {
      ts = await startTestServer({
        config: { rateLimitPerSecond: 0, authFailureRateLimitPerSecond: 3 },
      });
    });
    after(() => ts.close());

    it('refuses an address with 429 after too many failures, even with a good key', async () => {
      for (let i = 0; i < 3; i++) {
        const response = await ts.fetch('/v1/customers', { key: `sk_test_wrong${i}` });
        assert.equal(response.status, 401);
      }
      const refused = await ts.fetch('/v1/customers');
      assert.equal(refused.status, 429);
      assert.equal((await refused.json()).error.code, 'rate_limit');
      assert.ok(refused.headers.get('retry-after'));
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await ts.fetch('/v1/customers')).status, 200);
    });

    it('does not count a known key used where it may not go', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      for (let i = 0; i < 5; i++) {
        const response = await ts.fetch('/v1/customers', { key: ts.publishableKey });
        assert.equal(response.status, 401);
      }
      assert.equal((await ts.fetch('/v1/customers')).status, 200);
    });
  });
});

/** The bucket semantics every store must share. */
function bucketStoreContract(
  name: string,
  make: () => BucketStore | Promise<BucketStore>,
  skip: string | false,
) {
  describe(`${name} bucket store`, { skip }, () => {
    let store: BucketStore;
    before(async () => {
      store = await make();
    });
    after(() => store.close());

    const limit = { ratePerSecond: 2, burst: 3 };
    const key = () => `contract-${Math.random().toString(36).slice(2)}`;

    it('allows a full burst, then refuses with the time until one token is back', async () => {
      const k = key();
      for (let i = 0; i < 3; i++) assert.equal((await store.take(k, limit, 1)).allowed, true);
      const refused = await store.take(k, limit, 1);
      assert.equal(refused.allowed, false);
      assert.ok(
        refused.retryAfterMs > 0 && refused.retryAfterMs <= 500,
        String(refused.retryAfterMs),
      );
    });

    it('refills over time', async () => {
      const k = key();
      for (let i = 0; i < 3; i++) await store.take(k, limit, 1);
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal((await store.take(k, limit, 1)).allowed, true);
    });

    it('a cost of 0 asks without spending', async () => {
      const k = key();
      for (let i = 0; i < 5; i++) assert.equal((await store.take(k, limit, 0)).allowed, true);
      for (let i = 0; i < 3; i++) await store.take(k, limit, 1);
      assert.equal((await store.take(k, limit, 0)).allowed, false);
    });

    it('is atomic under concurrent takes', async () => {
      const k = key();
      const results = await Promise.all(Array.from({ length: 20 }, () => store.take(k, limit, 1)));
      assert.equal(results.filter((r) => r.allowed).length, 3);
    });
  });
}

bucketStoreContract('memory', () => new MemoryBucketStore(), false);
bucketStoreContract(
  'Redis',
  () => RedisBucketStore.connect(REDIS_URL!, `payrail-test:${process.pid}:`),
  REDIS_URL ? false : 'PAYRAIL_TEST_REDIS_URL is not set',
);

describe(
  'a server with --redis',
  { skip: REDIS_URL ? false : 'PAYRAIL_TEST_REDIS_URL is not set' },
  () => {
    it('shares one bucket per key between two server processes', async () => {
      const first = await startTestServer({
        config: { rateLimitPerSecond: 4, redisUrl: REDIS_URL },
      });
      const second = await startTestServer({
        databaseUrl: first.databaseUrl,
        keepDatabase: true,
        secretKey: first.secretKey,
        publishableKey: first.publishableKey,
        config: { rateLimitPerSecond: 4, redisUrl: REDIS_URL },
      });
      try {
        const responses = await burst(8, (i) => (i % 2 ? first : second).fetch('/v1/customers'));
        const ok = responses.filter((r) => r.status === 200).length;
        assert.ok(ok <= 5, `${ok} allowed across two servers with a burst of 4`);
        assert.ok(responses.some((r) => r.status === 429));
      } finally {
        await second.close();
        await first.close();
      }
    });
  },
);

describe('--redis with an unreachable Redis', () => {
  it('fails the start with a message instead of running unlimited', async () => {
    await assert.rejects(
      startTestServer({ config: { rateLimitPerSecond: 5, redisUrl: 'redis://127.0.0.1:1' } }),
      /cannot reach Redis/,
    );
  });
});
