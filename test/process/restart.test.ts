import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Stripe from 'stripe';
import { generateApiKey } from '../../src/domain/api-keys.js';
import { spawnServer } from '../helpers/process.js';

const dir = mkdtempSync(join(tmpdir(), 'payrail-restart-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function client(url: string, key: string): Stripe {
  const { hostname, port } = new URL(url);
  return new Stripe(key, {
    host: hostname,
    port: Number(port),
    protocol: 'http',
    maxNetworkRetries: 0,
  });
}

describe('the server process', () => {
  it('keeps everything across a graceful restart on the same SQLite file', async () => {
    const database = `sqlite:${join(dir, 'graceful.db')}`;
    const secretKey = generateApiKey('secret');
    const env = { PAYRAIL_SECRET_KEY: secretKey };
    const first = await spawnServer(['--database', database], env);
    const created = await client(first.url, secretKey).customers.create({
      email: 'kept@example.com',
      metadata: { plan: 'pro' },
    });
    const card = { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' };
    const before = await client(first.url, secretKey).paymentMethods.create({ type: 'card', card });
    await first.stop();

    const second = await spawnServer(['--database', database], env);
    try {
      const stripe = client(second.url, secretKey);
      const fetched = await stripe.customers.retrieve(created.id);
      assert.deepEqual(fetched, created);
      // The fingerprint key lives in the database, so a restarted server matches cards as before.
      const after = await stripe.paymentMethods.create({ type: 'card', card });
      assert.equal(after.card?.fingerprint, before.card?.fingerprint);
      const events = await fetch(`${second.url}/v1/customers?email=kept%40example.com`, {
        headers: { authorization: `Bearer ${secretKey}` },
      });
      assert.equal((await events.json()).data.length, 1);
    } finally {
      await second.stop();
    }
  });

  it('keeps every acknowledged write when killed mid-load (durable by default)', async () => {
    const database = `sqlite:${join(dir, 'crash.db')}`;
    // This test sends bursts on purpose; the limiter has tests of its own.
    const args = ['--database', database, '--rate-limit', '0'];
    const secretKey = generateApiKey('secret');
    const env = { PAYRAIL_SECRET_KEY: secretKey };
    const first = await spawnServer(args, env);
    const stripe = client(first.url, secretKey);
    const acknowledged: string[] = [];
    const writers = Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 200; i++) {
        try {
          acknowledged.push((await stripe.customers.create({ email: 'crash@example.com' })).id);
        } catch (error) {
          // The process died under us: that request was never acknowledged.
          if (error instanceof Stripe.errors.StripeConnectionError) return;
          throw error;
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await first.stop('SIGKILL');
    await Promise.all(writers);
    assert.ok(acknowledged.length > 0, 'some writes were acknowledged before the crash');

    const second = await spawnServer(args, env);
    try {
      const after = client(second.url, secretKey);
      for (const id of acknowledged) {
        const customer = (await after.customers.retrieve(id)) as Stripe.Customer;
        assert.equal(customer.email, 'crash@example.com');
      }
    } finally {
      await second.stop();
    }
  });

  it('creates an account with random keys on first start, printed once', async () => {
    const database = `sqlite:${join(dir, 'fresh.db')}`;
    const first = await spawnServer(['--database', database]);
    await first.stop();
    const secret = /secret key:\s+(sk_test_\w+)/.exec(first.output())?.[1];
    assert.ok(secret, 'the secret key is printed');
    assert.equal((first.output().match(/listening/gi) ?? []).length, 1, 'one listen line');

    const second = await spawnServer(['--database', database]);
    try {
      assert.doesNotMatch(second.output(), /secret key:/);
      const response = await fetch(`${second.url}/v1/customers`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      assert.equal(response.status, 200);
    } finally {
      await second.stop();
    }
  });
});
