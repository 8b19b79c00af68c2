import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { eventOf, startReceiver, type Receiver } from './receiver.js';

// Read at server start: quick polls, 50 ms first retry, three attempts before giving up.
process.env.PAYRAIL_WEBHOOK_BACKOFF_MS = '50';
process.env.PAYRAIL_WEBHOOK_POLL_MS = '25';
process.env.PAYRAIL_WEBHOOK_MAX_ATTEMPTS = '3';
process.env.PAYRAIL_WEBHOOK_TIMEOUT_MS = '500';

interface WireDelivery {
  id: string;
  event: string;
  status: string;
  attempt_count: number;
  attempts: { response_status: number | null; error: string | null; duration_ms: number }[];
}

describe('webhook delivery', () => {
  let t: TestServer;
  let receiver: Receiver;
  const receivers: Receiver[] = [];
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());
  // Each test starts with no endpoint, so no event of one test is owed to another's endpoint.
  afterEach(async () => {
    for (const e of (await t.stripe.webhookEndpoints.list({ limit: 100 })).data) {
      await t.stripe.webhookEndpoints.del(e.id);
    }
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  /** A fresh receiver and an endpoint for it; returns the endpoint with its secret. */
  async function endpointFor(events: Stripe.WebhookEndpointCreateParams.EnabledEvent[]) {
    receiver = await startReceiver();
    receivers.push(receiver);
    return t.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: events });
  }

  async function deliveries(endpointId: string): Promise<WireDelivery[]> {
    const response = await t.fetch(`/v1/webhook_endpoints/${endpointId}/deliveries?limit=100`);
    assert.equal(response.status, 200);
    return (await response.json()).data;
  }

  async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('sends each event signed so that stripe.webhooks.constructEvent accepts it', async () => {
    const endpoint = await endpointFor(['customer.created']);
    const customer = await t.stripe.customers.create({ email: 'hook@example.com', name: 'Zoë ✓' });
    const [request] = await receiver.waitFor(1);
    await receiver.close();

    const header = String(request.headers['stripe-signature']);
    assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.equal(request.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(request.headers['user-agent'], 'Stripe/1.0 (+https://stripe.com/docs/webhooks)');
    const event = t.stripe.webhooks.constructEvent(request.rawBody, header, endpoint.secret!);
    assert.equal(event.type, 'customer.created');
    assert.equal((event.data.object as Stripe.Customer).id, customer.id);
    assert.equal((event.data.object as Stripe.Customer).name, 'Zoë ✓');
    const stored = await t.stripe.events.retrieve(event.id);
    assert.deepEqual({ ...event, pending_webhooks: 0 }, { ...stored, pending_webhooks: 0 });
  });

  it('sends bytes whose tampering or staleness fails verification', async () => {
    const endpoint = await endpointFor(['customer.created']);
    await t.stripe.customers.create({ name: 'Original' });
    const [request] = await receiver.waitFor(1);
    await receiver.close();
    const header = String(request.headers['stripe-signature']);
    const secret = endpoint.secret!;

    const tampered = request.rawBody.replace('Original', 'Forged');
    assert.notEqual(tampered, request.rawBody);
    assert.throws(
      () => t.stripe.webhooks.constructEvent(tampered, header, secret),
      Stripe.errors.StripeSignatureVerificationError,
    );
    const reserialised = JSON.stringify(JSON.parse(request.rawBody));
    assert.throws(
      () => t.stripe.webhooks.constructEvent(reserialised, header, secret),
      Stripe.errors.StripeSignatureVerificationError,
    );
    const later = Date.now() + 301_000;
    assert.throws(
      () =>
        t.stripe.webhooks.constructEvent(request.rawBody, header, secret, 300, undefined, later),
      Stripe.errors.StripeSignatureVerificationError,
    );
    assert.throws(
      () => t.stripe.webhooks.constructEvent(request.rawBody, header, 'whsec_wrong'),
      Stripe.errors.StripeSignatureVerificationError,
    );
  });

  it('sends only the enabled types', async () => {
    const endpoint = await endpointFor(['customer.updated']);
    const customer = await t.stripe.customers.create({ name: 'Quiet' });
    await t.stripe.customers.update(customer.id, { name: 'Loud' });
    const [request] = await receiver.waitFor(1);
    assert.equal(eventOf(request).type, 'customer.updated');
    const list = await until(
      () => deliveries(endpoint.id),
      (d) => d[0]?.status === 'succeeded',
    );
    assert.equal(list.length, 1);
    assert.equal(receiver.received.length, 1);
  });

  it('retries after a 500 and delivers the same event later', async () => {
    const endpoint = await endpointFor(['*']);
    receiver.answers.push(500);
    await t.stripe.customers.create({ name: 'Retry' });
    const [first, second] = await receiver.waitFor(2);
    await receiver.close();
    assert.equal(first.answered, 500);
    assert.equal(second.answered, 200);
    assert.equal(eventOf(first).id, eventOf(second).id);
    for (const r of [first, second]) {
      t.stripe.webhooks.constructEvent(
        r.rawBody,
        String(r.headers['stripe-signature']),
        endpoint.secret!,
      );
    }

    const [delivery] = await until(
      () => deliveries(endpoint.id),
      (d) => d[0]?.status === 'succeeded',
    );
    assert.equal(delivery.status, 'succeeded');
    assert.equal(delivery.attempt_count, 2);
    assert.deepEqual(
      delivery.attempts.map((a) => a.response_status),
      [500, 200],
    );
    assert.equal(delivery.attempts[0].error, 'HTTP 500');
    assert.ok(delivery.attempts.every((a) => a.duration_ms >= 0));
    assert.equal((await t.stripe.events.retrieve(delivery.event)).pending_webhooks, 0);
  });

  it('counts a redirect and a timeout as failed attempts', async () => {
    const endpoint = await endpointFor(['customer.created']);
    receiver.answers.push(302, 0);
    await t.stripe.customers.create({ name: 'Slow' });
    const [delivery] = await until(
      () => deliveries(endpoint.id),
      (d) => d[0]?.status === 'succeeded',
    );
    assert.deepEqual(
      delivery.attempts.map((a) => [a.response_status, a.error]),
      [
        [302, 'HTTP 302'],
        [null, 'timeout'],
        [200, null],
      ],
    );
    assert.ok(delivery.attempts[1].duration_ms >= 450);
    assert.equal(receiver.received.length, 3);
  });

  it('gives up after the last attempt and records why each one failed', async () => {
    const endpoint = await endpointFor(['customer.created']);
    receiver.answers.push(503, 503, 503, 503);
    await t.stripe.customers.create({ name: 'Doomed' });
    const [delivery] = await until(
      () => deliveries(endpoint.id),
      (d) => d[0]?.status === 'failed',
    );
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.attempt_count, 3);
    assert.deepEqual(
      delivery.attempts.map((a) => a.response_status),
      [503, 503, 503],
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.received.length, 3);
    assert.equal((await t.stripe.events.retrieve(delivery.event)).pending_webhooks, 1);
  });

  it('records a refused connection as an attempt without a status', async () => {
    const endpoint = await endpointFor(['customer.created']);
    await receiver.close();
    await t.stripe.customers.create({ name: 'Nobody home' });
    const [delivery] = await until(
      () => deliveries(endpoint.id),
      (d) => d[0]?.status === 'failed',
    );
    assert.equal(delivery.attempts.length, 3);
    assert.ok(delivery.attempts.every((a) => a.response_status === null));
    assert.match(delivery.attempts[0].error ?? '', /ECONNREFUSED|request failed/);
  });

  it('sends nothing to disabled or deleted endpoints', async () => {
    const disabled = await endpointFor(['*']);
    const quiet = receiver;
    await t.stripe.webhookEndpoints.update(disabled.id, { disabled: true });
    const deleted = await t.stripe.webhookEndpoints.create({
      url: quiet.url,
      enabled_events: ['*'],
    });
    await t.stripe.webhookEndpoints.del(deleted.id);
    const witness = await endpointFor(['customer.created']);
    const customer = await t.stripe.customers.create({ name: 'Unheard' });
    const [request] = await receiver.waitFor(1);
    assert.equal((eventOf(request).data.object as { id: string }).id, customer.id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(quiet.received.length, 0);
    assert.equal((await deliveries(disabled.id)).length, 0);
    assert.ok(witness.id);
  });

  it('resends an event on request, to one endpoint or to all that want it', async () => {
    const endpoint = await endpointFor(['customer.created']);
    await t.stripe.customers.create({ name: 'Again' });
    const [first] = await receiver.waitFor(1);
    const eventId = eventOf(first).id;

    const one = await t.fetch(`/v1/events/${eventId}/resend`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `webhook_endpoint=${endpoint.id}`,
    });
    assert.equal(one.status, 200);
    assert.equal((await one.json()).id, eventId);
    const all = await t.fetch(`/v1/events/${eventId}/resend`, { method: 'POST' });
    assert.equal(all.status, 200);
    const requests = await receiver.waitFor(3);
    assert.ok(requests.every((r) => eventOf(r).id === eventId));
    const list = await until(
      () => deliveries(endpoint.id),
      (d) => d.length === 3 && d.every((x) => x.status === 'succeeded'),
    );
    assert.equal(list.length, 3);

    const missing = await t.fetch(`/v1/events/${eventId}/resend`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'webhook_endpoint=we_nope',
    });
    assert.equal(missing.status, 400);
    assert.equal((await missing.json()).error.param, 'webhook_endpoint');
    const noEvent = await t.fetch('/v1/events/evt_nope/resend', { method: 'POST' });
    assert.equal(noEvent.status, 404);
  });
});
