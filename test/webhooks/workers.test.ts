import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { maxAttemptsFor, MAX_DELAY_MS, retryDelayMs } from '../../src/webhooks/backoff.js';
import { startTestServer } from '../helpers/server.js';
import { eventOf, startReceiver } from './receiver.js';

describe('webhook workers', () => {
  it('send each delivery once when several processes share the database', async () => {
    // The server delivers nothing itself: only the `payrail webhooks work` processes do.
    process.env.PAYRAIL_WEBHOOK_WORKER = 'off';
    const t = await startTestServer();
    delete process.env.PAYRAIL_WEBHOOK_WORKER;
    const receiver = await startReceiver();
    const workers = [startWorkerProcess(t.databaseUrl), startWorkerProcess(t.databaseUrl)];
    try {
      await Promise.all(workers.map((w) => w.ready));
      await t.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
      const created = await Promise.all(
        Array.from({ length: 20 }, (_, i) => t.stripe.customers.create({ name: `c${i}` })),
      );
      await receiver.waitFor(20);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ids = receiver.received.map((r) => eventOf(r).id);
      assert.equal(ids.length, 20);
      assert.equal(new Set(ids).size, 20);
      const customers = new Set(receiver.received.map((r) => eventOf(r).data.object.id));
      assert.deepEqual(customers, new Set(created.map((c) => c.id)));
    } finally {
      const outputs = await Promise.all(workers.map((w) => w.stop()));
      await receiver.close();
      await t.close();
      for (const output of outputs) assert.doesNotMatch(output, /"level":50/);
    }
  });
});

/** Spawns `payrail webhooks work`; `ready` resolves once it logs that it is delivering. */
function startWorkerProcess(databaseUrl: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/index.ts', 'webhooks', 'work', '--database', databaseUrl],
    {
      env: { ...process.env, PAYRAIL_WEBHOOK_POLL_MS: '50', PAYRAIL_WEBHOOK_WORKER: 'on' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('delivering webhooks')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    ready,
    async stop(): Promise<string> {
      ready.catch(() => undefined);
      child.kill('SIGTERM');
      await exited;
      return output;
    },
  };
}

describe('retry schedule', () => {
  it('doubles from the base with at most 20% jitter and never waits over 12 hours', () => {
    assert.equal(
      retryDelayMs(1, 60_000, () => 0),
      60_000,
    );
    assert.equal(
      retryDelayMs(2, 60_000, () => 0),
      120_000,
    );
    assert.equal(
      retryDelayMs(3, 60_000, () => 1),
      288_000,
    );
    assert.equal(
      retryDelayMs(30, 60_000, () => 1),
      MAX_DELAY_MS,
    );
    for (let n = 1; n < 100; n++) {
      const delay = retryDelayMs(n, 60_000);
      assert.ok(delay >= Math.min(MAX_DELAY_MS, 60_000 * 2 ** (n - 1)) && delay <= MAX_DELAY_MS);
    }
  });

  it('allows attempts spanning about three days', () => {
    for (const base of [50, 1000, 60_000]) {
      const attempts = maxAttemptsFor(base);
      let span = 0;
      for (let n = 1; n < attempts; n++) span += retryDelayMs(n, base, () => 0);
      assert.ok(span >= 3 * 24 * 3600_000, `base ${base}: ${span} ms`);
      assert.ok(span < 3.5 * 24 * 3600_000, `base ${base}: ${span} ms`);
    }
    assert.equal(maxAttemptsFor(60_000), 16);
  });
});
