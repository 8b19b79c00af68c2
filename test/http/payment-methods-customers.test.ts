import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import {
  createCard as createCardFor,
  nextYear,
  paymentMethodEvents,
  stripeError,
  type CardDetails,
} from '../helpers/payment-methods.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('payment methods of customers', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const createCard = (number: string, extra: CardDetails = {}) => createCardFor(t, number, extra);
  const eventsOf = paymentMethodEvents;

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

    it("clears the customer's default payment method when it is detached", async () => {
      const customer = await t.stripe.customers.create();
      const pm = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
      const other = await t.stripe.paymentMethods.attach('pm_card_amex', { customer: customer.id });
      await t.stripe.customers.update(customer.id, {
        invoice_settings: { default_payment_method: pm.id },
      });
      await t.stripe.paymentMethods.detach(other.id);
      let fetched = (await t.stripe.customers.retrieve(customer.id)) as Stripe.Customer;
      assert.equal(fetched.invoice_settings.default_payment_method, pm.id);
      await t.stripe.paymentMethods.detach(pm.id);
      fetched = (await t.stripe.customers.retrieve(customer.id)) as Stripe.Customer;
      assert.equal(fetched.invoice_settings.default_payment_method, null);
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

    it('lets exactly one of two concurrent attaches to different customers win', async () => {
      const pm = await createCard('4242424242424242');
      const customers = await Promise.all([
        t.stripe.customers.create(),
        t.stripe.customers.create(),
      ]);
      const results = await Promise.allSettled(
        customers.map((c) => t.stripe.paymentMethods.attach(pm.id, { customer: c.id })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      const owner = (won[0] as PromiseFulfilledResult<Stripe.PaymentMethod>).value.customer;
      assert.equal((await t.stripe.paymentMethods.retrieve(pm.id)).customer, owner);
      const attachedEvents = (await paymentMethodEvents(t, pm.id)).filter(
        (e) => e.type === 'payment_method.attached',
      );
      assert.equal(attachedEvents.length, 1);
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
});
