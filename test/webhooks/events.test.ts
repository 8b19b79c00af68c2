import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startReceiver } from './receiver.js';
import { stripeError } from '../helpers/stripe-error.js';

describe('events', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it('records create, update, delete of a customer in order, with previous_attributes', async () => {
    const c = await t.stripe.customers.create({ email: 'order@example.com', name: 'Before' });
    await t.stripe.customers.update(c.id, { name: 'After', metadata: { k: 'v' } });
    await t.stripe.customers.del(c.id);

    const list = await t.stripe.events.list({ type: 'customer.*', limit: 3 });
    assert.deepEqual(
      list.data.map((e) => e.type),
      ['customer.deleted', 'customer.updated', 'customer.created'],
    );
    assert.ok(list.data.every((e) => (e.data.object as { id: string }).id === c.id));
    const [deleted, updated, created] = list.data;
    assert.equal(created.object, 'event');
    assert.match(created.id, /^evt_[A-Za-z0-9]{24}$/);
    assert.equal((created.data.object as Stripe.Customer).name, 'Before');
    assert.equal(created.data.previous_attributes, undefined);
    assert.equal((updated.data.object as Stripe.Customer).name, 'After');
    assert.deepEqual(updated.data.previous_attributes, { name: 'Before', metadata: {} });
    assert.equal((deleted.data.object as Stripe.Customer).email, 'order@example.com');
    assert.equal(created.livemode, false);
    assert.equal(created.pending_webhooks, 0);
    assert.match(created.request?.id ?? '', /^req_/);
    assert.equal(typeof created.api_version, 'string');
    assert.ok(created.created <= updated.created && updated.created <= deleted.created);
  });

  it('retrieves an event by id and answers 404 for an unknown one', async () => {
    await t.stripe.customers.create({ name: 'Retrieve' });
    const [latest] = (await t.stripe.events.list({ limit: 1 })).data;
    const fetched = await t.stripe.events.retrieve(latest.id);
    assert.deepEqual(fetched, latest);
    const missing = await stripeError(() => t.stripe.events.retrieve('evt_nope'));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, 'resource_missing');
    assert.equal(missing.param, 'id');
  });

  it('records the idempotency key of the request that caused an event', async () => {
    const c = await t.stripe.customers.create({ name: 'Keyed' }, { idempotencyKey: 'evt-key-1' });
    const list = await t.stripe.events.list({ type: 'customer.created', limit: 5 });
    const event = list.data.find((e) => (e.data.object as { id: string }).id === c.id);
    assert.equal(event?.request?.idempotency_key, 'evt-key-1');
  });

  describe('list filters', () => {
    it('filters by exact type, wildcard, and types[]', async () => {
      const c = await t.stripe.customers.create({ name: 'Filters' });
      await t.stripe.customers.update(c.id, { name: 'Filtered' });
      const exact = await t.stripe.events.list({ type: 'customer.updated', limit: 100 });
      assert.ok(exact.data.length > 0);
      assert.ok(exact.data.every((e) => e.type === 'customer.updated'));
      const star = await t.stripe.events.list({ type: '*.updated', limit: 100 });
      assert.deepEqual(
        star.data.map((e) => e.id),
        exact.data.map((e) => e.id),
      );
      const none = await t.stripe.events.list({ type: 'payment_intent.*' });
      assert.equal(none.data.length, 0);
      // `_` is literal in a type pattern, not SQL's one-character wildcard.
      const underscore = await t.stripe.events.list({ type: 'customer_created' });
      assert.equal(underscore.data.length, 0);
      const types = await t.stripe.events.list({
        types: ['customer.created', 'customer.updated'],
        limit: 100,
      });
      assert.ok(types.data.some((e) => e.type === 'customer.created'));
      assert.ok(types.data.some((e) => e.type === 'customer.updated'));
      assert.ok(types.data.every((e) => e.type !== 'customer.deleted'));
    });

    it('refuses type with types, more than 20 types, and bad patterns', async () => {
      const both = await stripeError(() =>
        t.stripe.events.list({ type: 'customer.created', types: ['customer.updated'] }),
      );
      assert.equal(both.statusCode, 400);
      assert.equal(both.param, 'type');
      const many = Array.from({ length: 21 }, () => 'customer.created');
      const tooMany = await stripeError(() => t.stripe.events.list({ types: many }));
      assert.equal(tooMany.param, 'types');
      const bad = await stripeError(() => t.stripe.events.list({ type: "x' or 1=1" }));
      assert.equal(bad.param, 'type');
    });

    it('filters by created range', async () => {
      await t.stripe.customers.create({ name: 'Range' });
      const [latest] = (await t.stripe.events.list({ limit: 1 })).data;
      const hit = await t.stripe.events.list({ created: { gte: latest.created }, limit: 100 });
      assert.ok(hit.data.some((e) => e.id === latest.id));
      const miss = await t.stripe.events.list({ created: { gt: latest.created } });
      assert.equal(miss.data.length, 0);
    });

    it('pages newest first with both cursors', async () => {
      const other = await startTestServer();
      try {
        for (let i = 0; i < 5; i++) await other.stripe.customers.create({ name: `p${i}` });
        const all = await other.stripe.events.list({ limit: 100 });
        const ids = all.data.map((e) => e.id);
        assert.equal(ids.length, 5);
        const names = all.data.map((e) => (e.data.object as Stripe.Customer).name);
        assert.deepEqual(names, ['p4', 'p3', 'p2', 'p1', 'p0']);
        const first = await other.stripe.events.list({ limit: 2 });
        assert.deepEqual(
          first.data.map((e) => e.id),
          ids.slice(0, 2),
        );
        assert.equal(first.has_more, true);
        assert.equal(first.url, '/v1/events');
        const next = await other.stripe.events.list({ limit: 2, starting_after: ids[1] });
        assert.deepEqual(
          next.data.map((e) => e.id),
          ids.slice(2, 4),
        );
        const back = await other.stripe.events.list({ limit: 2, ending_before: ids[4] });
        assert.deepEqual(
          back.data.map((e) => e.id),
          ids.slice(2, 4),
        );
        const seen: string[] = [];
        for await (const e of other.stripe.events.list({ limit: 2 })) seen.push(e.id);
        assert.deepEqual(seen, ids);
        const cursor = await stripeError(() =>
          other.stripe.events.list({ starting_after: 'evt_nope' }),
        );
        assert.equal(cursor.param, 'starting_after');
      } finally {
        await other.close();
      }
    });
  });

  describe('pending_webhooks', () => {
    it('counts deliveries not yet acknowledged', async () => {
      const other = await startTestServer();
      const receiver = await startReceiver();
      const down = await startReceiver();
      await down.close();
      try {
        await other.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
        const dead = await other.stripe.webhookEndpoints.create({
          url: down.url,
          enabled_events: ['customer.created'],
        });
        const c = await other.stripe.customers.create({ name: 'Pending' });
        await receiver.waitFor(1);
        const [event] = (await other.stripe.events.list({ limit: 1 })).data;
        assert.equal((event.data.object as Stripe.Customer).id, c.id);
        // The dead endpoint's delivery failed once and waits a minute for its retry.
        assert.equal(
          await eventually(
            async () => (await other.stripe.events.retrieve(event.id)).pending_webhooks,
            1,
          ),
          1,
        );
        const owed = await other.stripe.events.list({ delivery_success: false });
        assert.deepEqual(
          owed.data.map((e) => e.id),
          [event.id],
        );
        const done = await other.stripe.events.list({ delivery_success: true });
        assert.ok(!done.data.some((e) => e.id === event.id));
        await other.stripe.webhookEndpoints.del(dead.id);
        const settled = await other.stripe.events.list({ delivery_success: true });
        assert.ok(settled.data.some((e) => e.id === event.id));
        assert.equal((await other.stripe.events.retrieve(event.id)).pending_webhooks, 0);
      } finally {
        await receiver.close();
        await other.close();
      }
    });
  });
});

/** Polls `read` until it returns `expected` (or 5 s pass); returns the last value. */
async function eventually<T>(read: () => Promise<T>, expected: T): Promise<T> {
  const deadline = Date.now() + 5000;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}
