import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { generateApiKey, hashApiKey } from '../../src/domain/api-keys.js';
import { addApiKey, createAccount } from '../../src/services/accounts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startReceiver, type Receiver } from './receiver.js';
import { stripeError } from '../helpers/stripe-error.js';

process.env.PAYRAIL_WEBHOOK_POLL_MS = '25';

describe('events and webhooks across accounts', () => {
  let t: TestServer;
  let other: Stripe;
  let otherKey: string;
  let receiver: Receiver;
  before(async () => {
    t = await startTestServer();
    receiver = await startReceiver();
    const account = await createAccount(t.server.services.store, Math.floor(Date.now() / 1000));
    otherKey = account.secret_key;
    other = t.stripeWith(otherKey);
  });
  after(async () => {
    await receiver.close();
    await t.close();
  });

  it("never shows or sends one account's events to another", async () => {
    const mine = await t.stripe.webhookEndpoints.create({
      url: receiver.url,
      enabled_events: ['*'],
    });
    await other.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
    const customer = await t.stripe.customers.create({ name: 'Private' });
    const [request] = await receiver.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(receiver.received.length, 1);
    const event = t.stripe.webhooks.constructEvent(
      request.rawBody,
      String(request.headers['stripe-signature']),
      mine.secret!,
    );
    assert.equal((event.data.object as Stripe.Customer).id, customer.id);

    assert.equal((await other.events.list()).data.length, 0);
    const missing = await stripeError(() => other.events.retrieve(event.id));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, 'resource_missing');
    const endpoints = await other.webhookEndpoints.list();
    assert.ok(!endpoints.data.some((e) => e.id === mine.id));
    for (const call of [
      () => other.webhookEndpoints.retrieve(mine.id),
      () => other.webhookEndpoints.update(mine.id, { disabled: true }),
      () => other.webhookEndpoints.del(mine.id),
    ]) {
      assert.equal((await stripeError(call)).statusCode, 404);
    }
    const cursor = await stripeError(() => other.events.list({ starting_after: event.id }));
    assert.equal(cursor.param, 'starting_after');
    const deliveries = await t.fetch(`/v1/webhook_endpoints/${mine.id}/deliveries`, {
      key: otherKey,
    });
    assert.equal(deliveries.status, 404);
    const resend = await t.fetch(`/v1/events/${event.id}/resend`, {
      method: 'POST',
      key: otherKey,
    });
    assert.equal(resend.status, 404);
    const theirs = (await other.webhookEndpoints.list()).data[0];
    const crossed = await t.fetch(`/v1/events/${event.id}/resend`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `webhook_endpoint=${theirs.id}`,
    });
    assert.equal(crossed.status, 400);
    assert.equal((await crossed.json()).error.code, 'resource_missing');
    assert.equal((await t.stripe.webhookEndpoints.retrieve(mine.id)).status, 'enabled');
    assert.equal(receiver.received.length, 1);
  });

  it('lets a restricted key read events only with events:read', async () => {
    const key = generateApiKey('restricted');
    const accountId = await accountOf(t);
    await addApiKey(t.server.services.store, accountId, 'restricted', key, 0, ['events:read']);
    const restricted = t.stripeWith(key);
    assert.ok(Array.isArray((await restricted.events.list()).data));
    const denied = await stripeError(() =>
      restricted.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] }),
    );
    assert.equal(denied.statusCode, 403);
    const listDenied = await stripeError(() => restricted.webhookEndpoints.list());
    assert.equal(listDenied.statusCode, 403);
  });
});

/** The account of the test server's own secret key. */
async function accountOf(t: TestServer): Promise<string> {
  const row = await t.server.services.store.db
    .selectFrom('api_keys')
    .select('account_id')
    .where('key_hash', '=', hashApiKey(t.secretKey))
    .executeTakeFirstOrThrow();
  return row.account_id;
}
