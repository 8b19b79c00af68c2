import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { stripeError } from '../helpers/stripe-error.js';

describe('webhook endpoints', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  describe('create', () => {
    it('returns the endpoint with a whsec_ secret, which no later answer shows', async () => {
      const created = await t.stripe.webhookEndpoints.create({
        url: 'https://example.com/hooks',
        enabled_events: ['customer.created', 'payment_intent.succeeded'],
        description: 'orders',
        metadata: { team: 'billing' },
      });
      assert.match(created.id, /^we_[A-Za-z0-9]{24}$/);
      assert.equal(created.object, 'webhook_endpoint');
      assert.match(created.secret ?? '', /^whsec_[A-Za-z0-9]{32}$/);
      assert.equal(created.status, 'enabled');
      assert.equal(created.url, 'https://example.com/hooks');
      assert.deepEqual(created.enabled_events, ['customer.created', 'payment_intent.succeeded']);
      assert.equal(created.description, 'orders');
      assert.deepEqual(created.metadata, { team: 'billing' });
      assert.equal(created.livemode, false);
      assert.equal(created.application, null);

      const fetched = await t.stripe.webhookEndpoints.retrieve(created.id);
      assert.equal(fetched.secret, undefined);
      const updated = await t.stripe.webhookEndpoints.update(created.id, { description: 'x' });
      assert.equal(updated.secret, undefined);
      const list = await t.stripe.webhookEndpoints.list({ limit: 100 });
      assert.ok(list.data.some((e) => e.id === created.id));
      assert.ok(list.data.every((e) => e.secret === undefined));
    });

    it('replays a create with the same idempotency key, secret included', async () => {
      const params = { url: 'https://example.com/once', enabled_events: ['*' as const] };
      const first = await t.stripe.webhookEndpoints.create(params, { idempotencyKey: 'we-once' });
      const again = await t.stripe.webhookEndpoints.create(params, { idempotencyKey: 'we-once' });
      assert.equal(again.id, first.id);
      assert.equal(again.secret, first.secret);
      const list = await t.stripe.webhookEndpoints.list({ limit: 100 });
      assert.equal(list.data.filter((e) => e.url === 'https://example.com/once').length, 1);
    });

    it('creates a disabled endpoint when asked', async () => {
      const response = await t.fetch('/v1/webhook_endpoints', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'url=http://127.0.0.1:9/x&enabled_events[]=*&disabled=true',
      });
      assert.equal(response.status, 200);
      assert.equal((await response.json()).status, 'disabled');
    });

    it('requires url and enabled_events', async () => {
      const noUrl = await stripeError(() =>
        t.stripe.webhookEndpoints.create({ enabled_events: ['*'] } as any),
      );
      assert.equal(noUrl.code, 'parameter_missing');
      assert.equal(noUrl.param, 'url');
      const noEvents = await stripeError(() =>
        t.stripe.webhookEndpoints.create({ url: 'https://example.com' } as any),
      );
      assert.equal(noEvents.code, 'parameter_missing');
      assert.equal(noEvents.param, 'enabled_events');
    });

    it('refuses a URL that is not absolute http(s)', async () => {
      for (const url of [
        'not a url',
        'ftp://example.com/x',
        '/relative',
        'https://u:p@example.com/',
      ]) {
        const error = await stripeError(() =>
          t.stripe.webhookEndpoints.create({ url, enabled_events: ['*'] }),
        );
        assert.equal(error.statusCode, 400);
        assert.equal(error.code, 'url_invalid');
        assert.equal(error.param, 'url');
      }
    });

    it('refuses unknown event types naming the item, and an empty list', async () => {
      const unknown = await stripeError(() =>
        t.stripe.webhookEndpoints.create({
          url: 'https://example.com',
          enabled_events: ['customer.created', 'customer.exploded' as any],
        }),
      );
      assert.equal(unknown.type, 'StripeInvalidRequestError');
      assert.equal(unknown.param, 'enabled_events[1]');
      const before = await t.stripe.webhookEndpoints.list({ limit: 100 });
      const empty = await t.fetch('/v1/webhook_endpoints', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'https://example.com', enabled_events: [] }),
      });
      assert.equal(empty.status, 400);
      assert.equal((await empty.json()).error.param, 'enabled_events');
      const afterwards = await t.stripe.webhookEndpoints.list({ limit: 100 });
      assert.equal(afterwards.data.length, before.data.length);
    });
  });

  describe('update', () => {
    it('changes url, events, description and metadata, and disabled toggles status', async () => {
      const e = await t.stripe.webhookEndpoints.create({
        url: 'https://example.com/a',
        enabled_events: ['*'],
        metadata: { a: '1', b: '2' },
      });
      const updated = await t.stripe.webhookEndpoints.update(e.id, {
        url: 'http://127.0.0.1:1/b',
        enabled_events: ['customer.updated'],
        description: 'changed',
        metadata: { a: '', c: '3' },
        disabled: true,
      });
      assert.equal(updated.url, 'http://127.0.0.1:1/b');
      assert.deepEqual(updated.enabled_events, ['customer.updated']);
      assert.equal(updated.description, 'changed');
      assert.deepEqual(updated.metadata, { b: '2', c: '3' });
      assert.equal(updated.status, 'disabled');
      const enabled = await t.stripe.webhookEndpoints.update(e.id, { disabled: false });
      assert.equal(enabled.status, 'enabled');
    });

    it('refuses a bad url or event type and leaves the endpoint unchanged', async () => {
      const e = await t.stripe.webhookEndpoints.create({
        url: 'https://example.com/keep',
        enabled_events: ['customer.created'],
      });
      const badUrl = await stripeError(() =>
        t.stripe.webhookEndpoints.update(e.id, { url: 'nope' }),
      );
      assert.equal(badUrl.param, 'url');
      const badType = await stripeError(() =>
        t.stripe.webhookEndpoints.update(e.id, { enabled_events: ['nope.nope' as any] }),
      );
      assert.equal(badType.param, 'enabled_events[0]');
      const unknown = await stripeError(() =>
        t.stripe.webhookEndpoints.update(e.id, { connect: true } as any),
      );
      assert.equal(unknown.code, 'parameter_unknown');
      const fetched = await t.stripe.webhookEndpoints.retrieve(e.id);
      assert.equal(fetched.url, 'https://example.com/keep');
      assert.deepEqual(fetched.enabled_events, ['customer.created']);
    });
  });

  describe('delete', () => {
    it('answers the deleted form, then retrieve, update and delete are 404', async () => {
      const e = await t.stripe.webhookEndpoints.create({
        url: 'https://example.com/gone',
        enabled_events: ['*'],
      });
      const deleted = await t.stripe.webhookEndpoints.del(e.id);
      assert.deepEqual(deleted, { id: e.id, object: 'webhook_endpoint', deleted: true });
      for (const call of [
        () => t.stripe.webhookEndpoints.retrieve(e.id),
        () => t.stripe.webhookEndpoints.update(e.id, { description: 'x' }),
        () => t.stripe.webhookEndpoints.del(e.id),
      ]) {
        const error = await stripeError(call);
        assert.equal(error.statusCode, 404);
        assert.equal(error.code, 'resource_missing');
      }
      const list = await t.stripe.webhookEndpoints.list({ limit: 100 });
      assert.ok(!list.data.some((x) => x.id === e.id));
    });
  });

  describe('list', () => {
    it('pages newest first', async () => {
      const other = await startTestServer();
      try {
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) {
          const e = await other.stripe.webhookEndpoints.create({
            url: `https://example.com/${i}`,
            enabled_events: ['*'],
          });
          ids.push(e.id);
        }
        const first = await other.stripe.webhookEndpoints.list({ limit: 2 });
        assert.deepEqual(
          first.data.map((e) => e.id),
          [ids[2], ids[1]],
        );
        assert.equal(first.has_more, true);
        assert.equal(first.url, '/v1/webhook_endpoints');
        const rest = await other.stripe.webhookEndpoints.list({ limit: 2, starting_after: ids[1] });
        assert.deepEqual(
          rest.data.map((e) => e.id),
          [ids[0]],
        );
        assert.equal(rest.has_more, false);

        // Stripe's limit of 16 endpoints per account; deleting one makes room again.
        for (let i = 3; i < 16; i++) {
          await other.stripe.webhookEndpoints.create({
            url: `https://example.com/${i}`,
            enabled_events: ['*'],
          });
        }
        const params = { url: 'https://example.com/17', enabled_events: ['*' as const] };
        const full = await stripeError(() => other.stripe.webhookEndpoints.create(params));
        assert.equal(full.statusCode, 400);
        await other.stripe.webhookEndpoints.del(ids[0]);
        assert.ok((await other.stripe.webhookEndpoints.create(params)).id);
      } finally {
        await other.close();
      }
    });
  });
});
