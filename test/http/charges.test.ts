import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccount } from '../../src/services/accounts.js';
import { eventTypesFor, stripeError } from '../helpers/payments.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('charges', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const pay = (customer?: string, amount = 1000) =>
    t.stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      customer,
      payment_method: 'pm_card_visa',
      confirm: true,
    });

  it('retrieves a charge in Stripe shape with expansions', async () => {
    const customer = await t.stripe.customers.create({ name: 'Grace' });
    const intent = await pay(customer.id, 2300);
    const charge = await t.stripe.charges.retrieve(intent.latest_charge as string, {
      expand: ['customer', 'payment_intent'],
    });
    assert.match(charge.id, /^ch_[A-Za-z0-9]+$/);
    assert.equal(charge.object, 'charge');
    assert.equal(charge.amount, 2300);
    assert.equal(charge.amount_refunded, 0);
    assert.equal(charge.currency, 'usd');
    assert.equal(charge.refunded, false);
    assert.equal(charge.disputed, false);
    assert.equal((charge.customer as any).name, 'Grace');
    assert.equal((charge.payment_intent as any).id, intent.id);
    assert.equal(charge.payment_method, intent.payment_method);
    assert.equal(charge.payment_method_details?.type, 'card');
    assert.equal(charge.outcome?.seller_message, 'Payment complete.');
    assert.equal(charge.billing_details.address?.city, null);
  });

  it('404s an unknown charge', async () => {
    const error = await stripeError(() => t.stripe.charges.retrieve('ch_missing'));
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, 'resource_missing');
  });

  it('updates description and merges metadata, emitting charge.updated', async () => {
    const intent = await pay();
    const id = intent.latest_charge as string;
    await t.stripe.charges.update(id, { metadata: { a: '1' } });
    const updated = await t.stripe.charges.update(id, {
      description: 'Gift',
      metadata: { b: '2' },
    });
    assert.equal(updated.description, 'Gift');
    assert.deepEqual(updated.metadata, { a: '1', b: '2' });
    assert.ok((await eventTypesFor(t, id)).includes('charge.updated'));
    const bad = await stripeError(() => t.stripe.charges.update(id, { amount: 5 } as any));
    assert.equal(bad.code, 'parameter_unknown');
  });

  it('lists by customer and payment intent with cursors', async () => {
    const customer = await t.stripe.customers.create({});
    const intents = [];
    for (let i = 0; i < 3; i++) intents.push(await pay(customer.id, 1000 + i));
    const page = await t.stripe.charges.list({ customer: customer.id, limit: 2 });
    assert.deepEqual(
      page.data.map((c) => c.amount),
      [1002, 1001],
    );
    assert.equal(page.has_more, true);
    const rest = await t.stripe.charges.list({
      customer: customer.id,
      starting_after: page.data[1].id,
    });
    assert.deepEqual(
      rest.data.map((c) => c.amount),
      [1000],
    );
    const before = await t.stripe.charges.list({
      customer: customer.id,
      ending_before: rest.data[0].id,
    });
    assert.deepEqual(
      before.data.map((c) => c.amount),
      [1002, 1001],
    );
    const byIntent = await t.stripe.charges.list({ payment_intent: intents[1].id });
    assert.deepEqual(
      byIntent.data.map((c) => c.id),
      [intents[1].latest_charge],
    );
    const created = await t.stripe.charges.list({
      customer: customer.id,
      created: { gte: 0 },
      expand: ['data.payment_intent'],
    });
    assert.equal(created.data.length, 3);
    assert.equal((created.data[0].payment_intent as any).object, 'payment_intent');
  });

  it('shows nothing of one account to another', async () => {
    const other = await createAccount(t.server.services.store, Math.floor(Date.now() / 1000));
    const stripeB = t.stripeWith(other.secret_key);
    const intent = await pay();
    const charge = await stripeError(() =>
      stripeB.charges.retrieve(intent.latest_charge as string),
    );
    assert.equal(charge.statusCode, 404);
    const pi = await stripeError(() => stripeB.paymentIntents.retrieve(intent.id));
    assert.equal(pi.statusCode, 404);
    const confirm = await stripeError(() => stripeB.paymentIntents.confirm(intent.id));
    assert.equal(confirm.statusCode, 404);
    assert.equal((await stripeB.charges.list()).data.length, 0);
    assert.equal((await stripeB.paymentIntents.list()).data.length, 0);
  });

  it('amount_received equals the captured amount of the succeeded charge', async () => {
    const held = await t.stripe.paymentIntents.create({
      amount: 9000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      capture_method: 'manual',
      confirm: true,
    });
    const captured = await t.stripe.paymentIntents.capture(held.id, { amount_to_capture: 7000 });
    const charges = await t.stripe.charges.list({ payment_intent: held.id });
    const sum = charges.data
      .filter((c) => c.status === 'succeeded')
      .reduce((total, c) => total + c.amount_captured, 0);
    assert.equal(captured.amount_received, sum);
  });
});
