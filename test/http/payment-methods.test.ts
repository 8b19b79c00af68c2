import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import {
  createCard as createCardFor,
  nextYear,
  stripeError,
  type CardDetails,
} from '../helpers/payment-methods.js';
import { storedBytes } from '../helpers/stored-bytes.js';
import { form, startTestServer, type TestServer } from '../helpers/server.js';

describe('payment methods', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const createCard = (number: string, extra: CardDetails = {}) => createCardFor(t, number, extra);

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
  describe('idempotency', () => {
    const cardForm = (number: string) =>
      form({
        type: 'card',
        'card[number]': number,
        'card[exp_month]': '2',
        'card[exp_year]': String(nextYear),
      });
    const withKey = (init: RequestInit, key: string): RequestInit => ({
      ...init,
      headers: { ...(init.headers as Record<string, string>), 'idempotency-key': key },
    });

    it('replays a retried create and refuses the key with another card', async () => {
      const key = `pm-${Date.now()}`;
      const first = await t.fetch(
        '/v1/payment_methods',
        withKey(cardForm('4242424242424242'), key),
      );
      const again = await t.fetch(
        '/v1/payment_methods',
        withKey(cardForm('4242424242424242'), key),
      );
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal((await again.json()).id, (await first.json()).id);
      const other = await t.fetch(
        '/v1/payment_methods',
        withKey(cardForm('5555555555554444'), key),
      );
      assert.equal(other.status, 400);
      assert.equal((await other.json()).error.type, 'idempotency_error');
    });

    it('does not store a plain hash of a body holding a card number', async () => {
      // The plain fingerprint of a customer body is found, which shows how it is computed…
      const plain = (body: string) => createHash('sha256').update(body).digest('hex');
      const customerKey = `cus-${Date.now()}`;
      await t.fetch('/v1/customers', withKey(form({ name: 'Ada' }), customerKey));
      const stored = async (key: string) =>
        (
          await t.server.services.store.db
            .selectFrom('idempotency_keys')
            .select('fingerprint')
            .where('key', '=', key)
            .executeTakeFirstOrThrow()
        ).fingerprint;
      assert.equal(await stored(customerKey), plain('{"name":"Ada"}'));

      // …and the same computation over a card body is not what is stored for it.
      const cardKey = `card-${Date.now()}`;
      await t.fetch('/v1/payment_methods', withKey(cardForm('4000000000009995'), cardKey));
      const cardBody =
        `{"card":{"exp_month":"2","exp_year":"${nextYear}","number":"4000000000009995"},` +
        '"type":"card"}';
      assert.notEqual(await stored(cardKey), plain(cardBody));
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

      const bytes = await storedBytes(t);
      for (const number of [...numbers, '378282246310005', '3566002020360505']) {
        assert.equal(bytes.indexOf(number), -1, `${number} found in the database files`);
        assert.equal(bytes.indexOf(Buffer.from(number, 'utf16le')), -1);
      }
      assert.ok(bytes.includes('9995'), 'the last4 is stored, so the files were read');
    });
  });
});
