import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { form, startTestServer, type TestServer } from '../helpers/server.js';

const nextYear = new Date().getUTCFullYear() + 1;

interface CardDetails {
  number?: string;
  exp_month?: number;
  exp_year?: number;
  cvc?: string;
}

/** Runs `fn` and returns the Stripe error it throws. */
async function stripeError(fn: () => Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new assert.AssertionError({ message: 'expected a Stripe error' });
}

describe('payment methods', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const createCard = (number: string, extra: CardDetails = {}) =>
    t.stripe.paymentMethods.create({
      type: 'card',
      card: { number, exp_month: 12, exp_year: nextYear, cvc: '123', ...extra },
    });

  describe('create', () => {
    it('returns only derived card data, with equal fingerprints for equal numbers', async () => {
      const pm = await createCard('4242424242424242');
      assert.match(pm.id, /^pm_[A-Za-z0-9]+$/);
      assert.equal(pm.object, 'payment_method');
      assert.equal(pm.type, 'card');
      assert.equal(pm.customer, null);
      assert.deepEqual(pm.metadata, {});
      assert.equal(pm.card?.brand, 'visa');
      assert.equal(pm.card?.last4, '4242');
      assert.equal(pm.card?.exp_month, 12);
      assert.equal(pm.card?.exp_year, nextYear);
      assert.equal(pm.card?.funding, 'credit');
      assert.match(pm.card?.fingerprint ?? '', /^[0-9a-f]{16}$/);
      const text = JSON.stringify(pm);
      assert.ok(!text.includes('4242424242424242'));
      assert.ok(!text.includes('"cvc"'));
      assert.ok(!text.includes('123"'));
      assert.equal(pm.billing_details.address?.line1, null);

      const again = await createCard('4242 4242 4242 4242');
      assert.notEqual(again.id, pm.id);
      assert.equal(again.card?.fingerprint, pm.card?.fingerprint);
      const other = await createCard('5555555555554444');
      assert.equal(other.card?.brand, 'mastercard');
      assert.notEqual(other.card?.fingerprint, pm.card?.fingerprint);
    });

    it('recognises brands and 4-digit amex security codes', async () => {
      const amex = await createCard('378282246310005', { cvc: '1234' });
      assert.equal(amex.card?.brand, 'amex');
      assert.equal(amex.card?.last4, '0005');
      assert.equal((await createCard('6011111111111117')).card?.brand, 'discover');
      assert.equal((await createCard('3566002020360505')).card?.brand, 'jcb');
    });

    it('stores billing details and metadata', async () => {
      const pm = await t.stripe.paymentMethods.create({
        type: 'card',
        card: { number: '4000056655665556', exp_month: 1, exp_year: nextYear },
        billing_details: { name: 'Ada', address: { postal_code: 'N1 9GU' } },
        metadata: { order: '7' },
      });
      assert.equal(pm.card?.funding, 'debit');
      assert.equal(pm.billing_details.name, 'Ada');
      assert.equal(pm.billing_details.email, null);
      assert.equal(pm.billing_details.address?.postal_code, 'N1 9GU');
      assert.equal(pm.card?.checks?.address_postal_code_check, 'unchecked');
      assert.deepEqual(pm.metadata, { order: '7' });
    });

    it('creates a new payment method from pm_card_visa and tok_visa on each use', async () => {
      const fromToken = await t.stripe.paymentMethods.create({
        type: 'card',
        card: { token: 'tok_visa' },
      });
      const fromToken2 = await t.stripe.paymentMethods.create({
        type: 'card',
        card: { token: 'tok_visa' },
      });
      assert.notEqual(fromToken.id, fromToken2.id);
      assert.equal(fromToken.card?.last4, '4242');
      assert.equal(fromToken.card?.fingerprint, fromToken2.card?.fingerprint);

      const customer = await t.stripe.customers.create();
      const first = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
      const second = await t.stripe.paymentMethods.attach('pm_card_visa', {
        customer: customer.id,
      });
      assert.match(first.id, /^pm_[A-Za-z0-9]+$/);
      assert.notEqual(first.id, 'pm_card_visa');
      assert.notEqual(first.id, second.id);
      assert.equal(first.customer, customer.id);
      assert.equal(first.card?.fingerprint, fromToken.card?.fingerprint);
    });

    it('refuses an unknown token', async () => {
      const error = await stripeError(() =>
        t.stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_nonsense' } }),
      );
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'resource_missing');
      assert.equal(error.param, 'card[token]');
    });

    const cardErrors: Array<[string, CardDetails, string, string]> = [
      ['a bad checksum', { number: '4242424242424241' }, 'incorrect_number', 'number'],
      ['month 13', { exp_month: 13 }, 'invalid_expiry_month', 'exp_month'],
      ['month 0', { exp_month: 0 }, 'invalid_expiry_month', 'exp_month'],
      ['a past year', { exp_year: 2001 }, 'invalid_expiry_year', 'exp_year'],
      ['a 2-digit CVC', { cvc: '12' }, 'invalid_cvc', 'cvc'],
      ['a 3-digit amex CVC', { number: '378282246310005', cvc: '123' }, 'invalid_cvc', 'cvc'],
    ];
    for (const [label, card, code, param] of cardErrors) {
      it(`refuses ${label} with a 402 ${code} card error`, async () => {
        const error = await stripeError(() => createCard(card.number ?? '4242424242424242', card));
        assert.equal(error.statusCode, 402);
        assert.equal(error.type, 'StripeCardError');
        assert.equal(error.code, code);
        assert.equal(error.param, param);
      });
    }

    it('refuses unknown, missing and wrongly typed parameters with 400', async () => {
      const unknown = await stripeError(() =>
        t.stripe.paymentMethods.create({
          type: 'card',
          card: { token: 'tok_visa' },
          colour: 'red',
        } as any),
      );
      assert.equal(unknown.code, 'parameter_unknown');
      assert.equal(unknown.param, 'colour');
      const nested = await stripeError(() =>
        t.stripe.paymentMethods.create({
          type: 'card',
          card: { token: 'tok_visa', pin: '1' } as any,
        }),
      );
      assert.equal(nested.param, 'card[pin]');
      const missing = await stripeError(() =>
        t.stripe.paymentMethods.create({
          type: 'card',
          card: { number: '4242424242424242', exp_year: nextYear } as any,
        }),
      );
      assert.equal(missing.code, 'parameter_missing');
      assert.equal(missing.param, 'card[exp_month]');
      const noType = await stripeError(() =>
        t.stripe.paymentMethods.create({ card: { token: 'tok_visa' } } as any),
      );
      assert.equal(noType.param, 'type');
      const badMonth = await stripeError(() =>
        createCard('4242424242424242', { exp_month: 'May' as any }),
      );
      assert.equal(badMonth.statusCode, 400);
      assert.equal(badMonth.param, 'card[exp_month]');
    });
  });

  describe('publishable key', () => {
    it('may create a payment method, seen without metadata, but not list or retrieve', async () => {
      const browser = t.stripeWith(t.publishableKey);
      const pm = await browser.paymentMethods.create({
        type: 'card',
        card: { number: '4242424242424242', exp_month: 3, exp_year: nextYear, cvc: '314' },
        metadata: { hidden: 'yes' },
      });
      assert.equal(pm.card?.last4, '4242');
      assert.equal((pm as any).metadata, undefined);
      const list = await stripeError(() => browser.paymentMethods.list({ customer: 'cus_x' }));
      assert.equal(list.statusCode, 401);
      assert.equal(list.code, 'secret_key_required');
      const get = await stripeError(() => browser.paymentMethods.retrieve(pm.id));
      assert.equal(get.code, 'secret_key_required');
      const seen = await t.stripe.paymentMethods.retrieve(pm.id);
      assert.deepEqual(seen.metadata, { hidden: 'yes' });
    });
  });

  describe('retrieve and update', () => {
    it('answers 404 for an unknown id', async () => {
      const error = await stripeError(() => t.stripe.paymentMethods.retrieve('pm_nothing'));
      assert.equal(error.statusCode, 404);
      assert.equal(error.code, 'resource_missing');
      assert.equal(error.param, 'id');
    });

    it('updates an attached card: metadata merged, billing details, expiry', async () => {
      const customer = await t.stripe.customers.create();
      const pm = await createCard('4242424242424242');
      const refused = await stripeError(() =>
        t.stripe.paymentMethods.update(pm.id, { metadata: { a: '1' } }),
      );
      assert.equal(refused.statusCode, 400);
      await t.stripe.paymentMethods.attach(pm.id, { customer: customer.id });
      await t.stripe.paymentMethods.update(pm.id, { metadata: { a: '1', b: '2' } });
      const updated = await t.stripe.paymentMethods.update(pm.id, {
        metadata: { a: '' },
        billing_details: { email: 'ada@example.com' },
        card: { exp_month: 6, exp_year: nextYear + 2 },
      });
      assert.deepEqual(updated.metadata, { b: '2' });
      assert.equal(updated.billing_details.email, 'ada@example.com');
      assert.equal(updated.card?.exp_month, 6);
      assert.equal(updated.card?.exp_year, nextYear + 2);
      const badMonth = await stripeError(() =>
        t.stripe.paymentMethods.update(pm.id, { card: { exp_month: 14 } }),
      );
      assert.equal(badMonth.code, 'invalid_expiry_month');
      assert.equal((await t.stripe.paymentMethods.retrieve(pm.id)).card?.exp_month, 6);

      const events = await eventsOf(t, pm.id);
      const update = events.find((e) => e.type === 'payment_method.updated');
      assert.ok(update);
      assert.ok('metadata' in update.data.previous_attributes);
    });
  });

  describe('attach, detach and list', () => {
    it('attaches, lists by customer both ways, detaches, and refuses re-attaching', async () => {
      const customer = await t.stripe.customers.create();
      const a = await createCard('4242424242424242');
      const b = await createCard('5555555555554444');
      const attached = await t.stripe.paymentMethods.attach(a.id, { customer: customer.id });
      assert.equal(attached.customer, customer.id);
      await t.stripe.paymentMethods.attach(b.id, { customer: customer.id });

      const list = await t.stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
      assert.deepEqual(
        list.data.map((pm) => pm.id),
        [b.id, a.id],
      );
      assert.equal(list.url, '/v1/payment_methods');
      const page = await t.stripe.paymentMethods.list({ customer: customer.id, limit: 1 });
      assert.deepEqual(
        page.data.map((pm) => pm.id),
        [b.id],
      );
      assert.equal(page.has_more, true);
      const next = await t.stripe.paymentMethods.list({
        customer: customer.id,
        limit: 1,
        starting_after: b.id,
      });
      assert.deepEqual(
        next.data.map((pm) => pm.id),
        [a.id],
      );
      const viaCustomer = await t.stripe.customers.listPaymentMethods(customer.id);
      assert.deepEqual(
        viaCustomer.data.map((pm) => pm.id),
        [b.id, a.id],
      );
      assert.equal(viaCustomer.url, `/v1/customers/${customer.id}/payment_methods`);
      const expanded = await t.stripe.paymentMethods.retrieve(a.id, { expand: ['customer'] });
      assert.equal((expanded.customer as Stripe.Customer).id, customer.id);

      const detached = await t.stripe.paymentMethods.detach(a.id);
      assert.equal(detached.customer, null);
      const remaining = await t.stripe.paymentMethods.list({ customer: customer.id });
      assert.deepEqual(
        remaining.data.map((pm) => pm.id),
        [b.id],
      );
      const again = await stripeError(() =>
        t.stripe.paymentMethods.attach(a.id, { customer: customer.id }),
      );
      assert.equal(again.statusCode, 400);
      assert.equal(again.type, 'StripeInvalidRequestError');
      const detachAgain = await stripeError(() => t.stripe.paymentMethods.detach(a.id));
      assert.equal(detachAgain.statusCode, 400);

      const types = (await eventsOf(t, a.id)).map((e) => e.type).sort();
      assert.deepEqual(types, ['payment_method.attached', 'payment_method.detached']);
      const detachedEvent = (await eventsOf(t, a.id)).find(
        (e) => e.type === 'payment_method.detached',
      );
      assert.deepEqual(detachedEvent?.data.previous_attributes, { customer: customer.id });
    });

    it('refuses attaching to a missing customer or to a second customer', async () => {
      const pm = await createCard('4242424242424242');
      const missing = await stripeError(() =>
        t.stripe.paymentMethods.attach(pm.id, { customer: 'cus_missing' }),
      );
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.code, 'resource_missing');
      assert.equal(missing.param, 'customer');
      const noCustomer = await stripeError(() => t.stripe.paymentMethods.attach(pm.id, {} as any));
      assert.equal(noCustomer.code, 'parameter_missing');
      assert.equal(noCustomer.param, 'customer');

      const one = await t.stripe.customers.create();
      const two = await t.stripe.customers.create();
      await t.stripe.paymentMethods.attach(pm.id, { customer: one.id });
      const same = await t.stripe.paymentMethods.attach(pm.id, { customer: one.id });
      assert.equal(same.customer, one.id);
      const other = await stripeError(() =>
        t.stripe.paymentMethods.attach(pm.id, { customer: two.id }),
      );
      assert.equal(other.statusCode, 400);
      assert.equal((await t.stripe.paymentMethods.retrieve(pm.id)).customer, one.id);
    });

    it('requires a known customer to list', async () => {
      const missing = await stripeError(() => t.stripe.paymentMethods.list({} as any));
      assert.equal(missing.code, 'parameter_missing');
      assert.equal(missing.param, 'customer');
      const unknown = await stripeError(() =>
        t.stripe.paymentMethods.list({ customer: 'cus_nope' }),
      );
      assert.equal(unknown.code, 'resource_missing');
      assert.equal(unknown.param, 'customer');
      const byPath = await stripeError(() => t.stripe.customers.listPaymentMethods('cus_nope'));
      assert.equal(byPath.statusCode, 404);
    });
  });

  describe('storage', () => {
    it('never writes a card number or CVC to the database files', async () => {
      const numbers = ['4000000000009995', '6011111111111117', '4000002760003184'];
      for (const number of numbers) await createCard(number, { cvc: '987' });
      await createCard('378282246310005', { cvc: '8765' });
      const raw = await t.fetch(
        '/v1/payment_methods',
        form({
          type: 'card',
          'card[number]': '3566002020360505',
          'card[exp_month]': '2',
          'card[exp_year]': String(nextYear),
        }),
      );
      assert.equal(raw.status, 200);

      const dbPath = t.databaseUrl.replace(/^sqlite:/, '');
      const dir = dirname(dbPath);
      const files = readdirSync(dir).filter((name) => name.startsWith('payrail.db'));
      assert.ok(files.length > 0);
      const bytes = Buffer.concat(files.map((name) => readFileSync(join(dir, name))));
      for (const number of [...numbers, '378282246310005', '3566002020360505']) {
        assert.equal(bytes.indexOf(number), -1, `${number} found in the database files`);
        assert.equal(bytes.indexOf(Buffer.from(number, 'utf16le')), -1);
      }
      assert.ok(bytes.includes('9995'), 'the last4 is stored, so the files were read');
    });
  });
});

async function eventsOf(t: TestServer, pmId: string) {
  const rows = await t.server.services.store.db
    .selectFrom('events')
    .selectAll()
    .where('type', 'like', 'payment_method.%')
    .execute();
  return rows
    .map((row) => ({ type: row.type, data: JSON.parse(row.data) }))
    .filter((event) => event.data.object.id === pmId);
}
