import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { form, startTestServer, type TestServer } from '../helpers/server.js';

import { stripeError } from '../helpers/stripe-error.js';

describe('customers', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  describe('create', () => {
    it('returns a customer in Stripe shape with metadata', async () => {
      const customer = await t.stripe.customers.create({
        email: 'ada@example.com',
        name: 'Ada',
        metadata: { order: '42' },
        address: { city: 'London', country: 'GB' },
      });
      assert.match(customer.id, /^cus_[A-Za-z0-9]+$/);
      assert.equal(customer.object, 'customer');
      assert.equal(customer.email, 'ada@example.com');
      assert.deepEqual(customer.metadata, { order: '42' });
      assert.equal(customer.address?.city, 'London');
      assert.equal(customer.address?.line1, undefined);
      assert.equal(customer.livemode, false);
      assert.deepEqual(customer.preferred_locales, []);
    });

    it('refuses unknown parameters with parameter_unknown', async () => {
      const error = await stripeError(() => t.stripe.customers.create({ colour: 'red' } as any));
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'parameter_unknown');
      assert.equal(error.param, 'colour');
    });

    it('refuses over-long and too many metadata keys', async () => {
      const longKey = await stripeError(() =>
        t.stripe.customers.create({ metadata: { ['k'.repeat(41)]: 'v' } }),
      );
      assert.equal(longKey.param, 'metadata');
      const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
      const tooMany = await stripeError(() => t.stripe.customers.create({ metadata: many }));
      assert.equal(tooMany.param, 'metadata');
      const longValue = await stripeError(() =>
        t.stripe.customers.create({ metadata: { k: 'v'.repeat(501) } }),
      );
      assert.equal(longValue.param, 'metadata[k]');
    });

    it('keeps metadata keys named like built-in methods, and refuses them as parameters', async () => {
      const customer = await t.stripe.customers.create({
        metadata: { constructor: 'a', valueOf: 'b', toString: 'c', order: 'd' },
      });
      assert.deepEqual(customer.metadata, {
        constructor: 'a',
        valueOf: 'b',
        toString: 'c',
        order: 'd',
      });
      const response = await t.fetch('/v1/customers', form({ toString: '1' }));
      assert.equal(response.status, 400);
      assert.equal((await response.json()).error.param, 'toString');
    });

    it('answers over-long ids and bad percent-encoding in Stripe shape', async () => {
      const long = await t.fetch(`/v1/customers/${'a'.repeat(300)}`);
      assert.equal(long.status, 400);
      assert.equal((await long.json()).error.type, 'invalid_request_error');
      const bad = await t.fetch('/v1/customers/%E0%A4%A');
      assert.equal(bad.status, 400);
      assert.equal((await bad.json()).error.type, 'invalid_request_error');
      assert.match(bad.headers.get('request-id') ?? '', /^req_/);
    });

    it('refuses a wrongly typed nested parameter naming it in brackets', async () => {
      const error = await stripeError(() =>
        t.stripe.customers.create({ address: { city: 'x', planet: 'Mars' } as any }),
      );
      assert.equal(error.code, 'parameter_unknown');
      assert.equal(error.param, 'address[planet]');
    });
  });

  describe('retrieve and update', () => {
    it('updates by POST, merging metadata and unsetting with empty strings', async () => {
      const created = await t.stripe.customers.create({
        email: 'a@example.com',
        description: 'first',
        metadata: { a: '1', b: '2' },
      });
      const updated = await t.stripe.customers.update(created.id, {
        description: '',
        metadata: { a: '', c: '3' },
      });
      assert.equal(updated.description, null);
      assert.deepEqual(updated.metadata, { b: '2', c: '3' });
      const fetched = await t.stripe.customers.retrieve(created.id);
      assert.deepEqual(fetched, updated);
    });

    it('takes as default payment method only one attached to the customer', async () => {
      const customer = await t.stripe.customers.create({});
      const loose = await t.stripe.paymentMethods.create({
        type: 'card',
        card: { token: 'tok_visa' },
      } as any);
      const refused = await stripeError(() =>
        t.stripe.customers.update(customer.id, {
          invoice_settings: { default_payment_method: loose.id },
        }),
      );
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.param, 'invoice_settings[default_payment_method]');
      const missing = await stripeError(() =>
        t.stripe.customers.create({ invoice_settings: { default_payment_method: 'pm_nothing' } }),
      );
      assert.equal(missing.code, 'resource_missing');
      await t.stripe.paymentMethods.attach(loose.id, { customer: customer.id });
      const updated = await t.stripe.customers.update(customer.id, {
        invoice_settings: { default_payment_method: loose.id },
      });
      assert.equal(updated.invoice_settings.default_payment_method, loose.id);
    });

    it('updates by PUT with a JSON body', async () => {
      const created = await t.stripe.customers.create({ name: 'Before' });
      const response = await t.fetch(`/v1/customers/${created.id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'After', metadata: { tier: 'gold' } }),
      });
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.equal(body.name, 'After');
      assert.deepEqual(body.metadata, { tier: 'gold' });
    });

    it('answers 404 resource_missing for an unknown id', async () => {
      const error = await stripeError(() => t.stripe.customers.retrieve('cus_doesnotexist'));
      assert.equal(error.statusCode, 404);
      assert.equal(error.code, 'resource_missing');
      assert.equal(error.param, 'id');
    });

    it('answers 400 with param for malformed JSON and leaves the customer unchanged', async () => {
      const created = await t.stripe.customers.create({ name: 'Stable' });
      const response = await t.fetch(`/v1/customers/${created.id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{"name": ',
      });
      assert.equal(response.status, 400);
      assert.equal((await response.json()).error.type, 'invalid_request_error');
      assert.equal(
        ((await t.stripe.customers.retrieve(created.id)) as Stripe.Customer).name,
        'Stable',
      );
    });
  });

  describe('delete', () => {
    it('deletes, then retrieve shows the deleted object and a second delete is 404', async () => {
      const created = await t.stripe.customers.create({ email: 'gone@example.com' });
      const deleted = await t.stripe.customers.del(created.id);
      assert.deepEqual(deleted, { id: created.id, object: 'customer', deleted: true });
      const fetched = await t.stripe.customers.retrieve(created.id);
      assert.deepEqual(fetched, { id: created.id, object: 'customer', deleted: true });
      const again = await stripeError(() => t.stripe.customers.del(created.id));
      assert.equal(again.statusCode, 404);
      assert.equal(again.code, 'resource_missing');
      const list = await t.stripe.customers.list({ email: 'gone@example.com' });
      assert.equal(list.data.length, 0);
    });
  });

  describe('list', () => {
    it('pages newest first with starting_after and ending_before', async () => {
      const email = `page-${Date.now()}@example.com`;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await t.stripe.customers.create({ email })).id);
      const first = await t.stripe.customers.list({ email, limit: 2 });
      assert.deepEqual(
        first.data.map((c) => c.id),
        [ids[4], ids[3]],
      );
      assert.equal(first.has_more, true);
      assert.equal(first.url, '/v1/customers');
      const second = await t.stripe.customers.list({ email, limit: 2, starting_after: ids[3] });
      assert.deepEqual(
        second.data.map((c) => c.id),
        [ids[2], ids[1]],
      );
      const last = await t.stripe.customers.list({ email, limit: 2, starting_after: ids[1] });
      assert.deepEqual(
        last.data.map((c) => c.id),
        [ids[0]],
      );
      assert.equal(last.has_more, false);
      const back = await t.stripe.customers.list({ email, limit: 2, ending_before: ids[1] });
      assert.deepEqual(
        back.data.map((c) => c.id),
        [ids[3], ids[2]],
      );
      assert.equal(back.has_more, true);
      const all: string[] = [];
      for await (const c of t.stripe.customers.list({ email, limit: 2 })) all.push(c.id);
      assert.deepEqual(all, [...ids].reverse());
    });

    it('refuses a limit out of range and an unknown cursor', async () => {
      const limit = await stripeError(() => t.stripe.customers.list({ limit: 101 }));
      assert.equal(limit.param, 'limit');
      const cursor = await stripeError(() =>
        t.stripe.customers.list({ starting_after: 'cus_nope' }),
      );
      assert.equal(cursor.code, 'resource_missing');
      assert.equal(cursor.param, 'starting_after');
    });

    it('filters by created range', async () => {
      const c = await t.stripe.customers.create({ email: 'range@example.com' });
      const hit = await t.stripe.customers.list({
        email: 'range@example.com',
        created: { gte: c.created },
      });
      assert.equal(hit.data.length, 1);
      const miss = await t.stripe.customers.list({
        email: 'range@example.com',
        created: { gt: c.created },
      });
      assert.equal(miss.data.length, 0);
    });
  });

  describe('request handling', () => {
    it('answers unknown routes with a JSON 404 and every answer with a Request-Id', async () => {
      const response = await t.fetch('/v1/unknown_things');
      assert.equal(response.status, 404);
      assert.match(response.headers.get('request-id') ?? '', /^req_/);
      assert.equal((await response.json()).error.type, 'invalid_request_error');
    });

    it('refuses missing and invalid keys with 401', async () => {
      const missing = await t.fetch('/v1/customers', { key: null });
      assert.equal(missing.status, 401);
      const invalid = await t.fetch('/v1/customers', { key: 'sk_test_wrongwrongwrong' });
      assert.equal(invalid.status, 401);
      assert.match((await invalid.json()).error.message, /\*+rong$/);
    });

    it('refuses publishable keys outside what they may do', async () => {
      const error = await stripeError(() => t.stripeWith(t.publishableKey).customers.list());
      assert.equal(error.statusCode, 401);
      assert.equal(error.code, 'secret_key_required');
    });

    it('accepts HTTP Basic auth with the key as user name', async () => {
      const basic = Buffer.from(`${t.secretKey}:`).toString('base64');
      const response = await fetch(`${t.url}/v1/customers`, {
        headers: { authorization: `Basic ${basic}` },
      });
      assert.equal(response.status, 200);
    });

    it('accepts indexed and bracketed arrays alike for expand', async () => {
      const c = await t.stripe.customers.create({});
      for (const query of ['expand[]=default_source', 'expand[0]=default_source']) {
        const response = await t.fetch(`/v1/customers/${c.id}?${query}`);
        assert.equal(response.status, 200);
      }
      const bad = await t.fetch(`/v1/customers/${c.id}?expand[]=email`);
      assert.equal(bad.status, 400);
      assert.equal((await bad.json()).error.param, 'expand');
      const deep = await t.fetch(`/v1/customers/${c.id}?expand[]=a.b.c.d.e`);
      assert.equal((await deep.json()).error.param, 'expand');
    });

    it('refuses unsupported content types', async () => {
      const response = await t.fetch('/v1/customers', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'email=x',
      });
      assert.equal(response.status, 400);
      assert.match((await response.json()).error.message, /Content-Type/);
    });

    it('accepts form bodies posted raw', async () => {
      const response = await t.fetch(
        '/v1/customers',
        form({ email: 'raw@example.com', 'metadata[k]': 'v' }),
      );
      const body = await response.json();
      assert.deepEqual(body.metadata, { k: 'v' });
    });
  });
});
