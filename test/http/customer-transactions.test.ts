import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { stripeError } from '../helpers/payments.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface HistoryLine {
  id: string;
  object: string;
  type: string;
  amount: number;
  currency: string;
  status: string;
  created: number;
  source: string;
}

interface HistoryPage {
  object: string;
  data: HistoryLine[];
  has_more: boolean;
  url: string;
}

describe('customer transactions', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  /** The SDK has no method for this Payrail endpoint, so it is called through rawRequest. */
  async function history(customer: string, query: Record<string, string> = {}) {
    const qs = new URLSearchParams(query).toString();
    const response = await t.stripe.rawRequest(
      'GET',
      `/v1/customers/${customer}/transactions${qs ? `?${qs}` : ''}`,
    );
    return response as unknown as HistoryPage;
  }

  const pay = (customer: string, amount: number, card = 'pm_card_visa', currency = 'usd') =>
    t.stripe.paymentIntents
      .create({ amount, currency, customer, payment_method: card, confirm: true })
      .catch((error) => error);

  it('shows what a partial capture moved, and a released authorisation as canceled', async () => {
    const customer = await t.stripe.customers.create({});
    const authorise = () =>
      t.stripe.paymentIntents.create({
        amount: 5000,
        currency: 'usd',
        customer: customer.id,
        payment_method: 'pm_card_visa',
        capture_method: 'manual',
        confirm: true,
      });
    const captured = await authorise();
    await t.stripe.paymentIntents.capture(captured.id, { amount_to_capture: 3000 });
    const released = await authorise();
    await t.stripe.paymentIntents.cancel(released.id);
    const [canceledLine, capturedLine] = (await history(customer.id)).data;
    assert.equal(capturedLine.source, captured.latest_charge);
    assert.equal(capturedLine.amount, 3000);
    assert.equal(capturedLine.status, 'succeeded');
    assert.equal(canceledLine.source, released.latest_charge);
    assert.equal(canceledLine.status, 'canceled');
    const onlyCanceled = await history(customer.id, { status: 'canceled' });
    assert.deepEqual(
      onlyCanceled.data.map((line) => line.source),
      [released.latest_charge],
    );
  });

  it('records each charge of a customer, declined ones included', async () => {
    const customer = await t.stripe.customers.create({});
    const paid = await pay(customer.id, 1200);
    await pay(customer.id, 1300, 'pm_card_chargeDeclined');
    const page = await history(customer.id);
    assert.equal(page.object, 'list');
    assert.equal(page.url, `/v1/customers/${customer.id}/transactions`);
    assert.equal(page.data.length, 2);
    const [declined, succeeded] = page.data;
    assert.equal(declined.status, 'failed');
    assert.equal(declined.amount, 1300);
    assert.deepEqual(Object.keys(succeeded).sort(), [
      'amount',
      'created',
      'currency',
      'id',
      'object',
      'source',
      'status',
      'type',
    ]);
    assert.equal(succeeded.object, 'customer_transaction');
    assert.equal(succeeded.type, 'payment');
    assert.equal(succeeded.amount, 1200);
    assert.equal(succeeded.currency, 'usd');
    assert.equal(succeeded.status, 'succeeded');
    assert.equal(succeeded.source, paid.latest_charge);
  });

  it('filters by type, status, currency and created', async () => {
    const customer = await t.stripe.customers.create({});
    await pay(customer.id, 1000);
    await pay(customer.id, 2000, 'pm_card_visa', 'eur');
    await pay(customer.id, 3000, 'pm_card_chargeDeclined');
    const failed = await history(customer.id, { status: 'failed' });
    assert.deepEqual(
      failed.data.map((l) => l.amount),
      [3000],
    );
    const eur = await history(customer.id, { currency: 'EUR' });
    assert.deepEqual(
      eur.data.map((l) => l.amount),
      [2000],
    );
    const payments = await history(customer.id, { type: 'payment' });
    assert.equal(payments.data.length, 3);
    const refunds = await history(customer.id, { type: 'refund' });
    assert.equal(refunds.data.length, 0);
    const future = await history(customer.id, { 'created[gt]': String(2 ** 31) });
    assert.equal(future.data.length, 0);
    const past = await history(customer.id, {
      'created[lte]': String(2 ** 31),
      'created[gte]': '1',
    });
    assert.equal(past.data.length, 3);
    const bad = await stripeError(() => history(customer.id, { status: 'weird' }));
    assert.equal(bad.param, 'status');
  });

  it('pages newest first with cursors', async () => {
    const customer = await t.stripe.customers.create({});
    for (const amount of [1001, 1002, 1003, 1004, 1005]) await pay(customer.id, amount);
    const first = await history(customer.id, { limit: '2' });
    assert.deepEqual(
      first.data.map((l) => l.amount),
      [1005, 1004],
    );
    assert.equal(first.has_more, true);
    const second = await history(customer.id, { limit: '2', starting_after: first.data[1].id });
    assert.deepEqual(
      second.data.map((l) => l.amount),
      [1003, 1002],
    );
    const back = await history(customer.id, { limit: '2', ending_before: second.data[0].id });
    assert.deepEqual(
      back.data.map((l) => l.amount),
      [1005, 1004],
    );
    const last = await history(customer.id, { limit: '2', starting_after: second.data[1].id });
    assert.deepEqual(
      last.data.map((l) => l.amount),
      [1001],
    );
    assert.equal(last.has_more, false);
  });

  it('404s an unknown customer and keeps customers apart', async () => {
    const missing = await stripeError(() => history('cus_missing'));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, 'resource_missing');
    const other = await t.stripe.customers.create({});
    await pay(other.id, 1500);
    const mine = await t.stripe.customers.create({});
    assert.equal((await history(mine.id)).data.length, 0);
  });

  it('a payment without a customer writes no history', async () => {
    const customer = await t.stripe.customers.create({});
    await t.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    assert.equal((await history(customer.id)).data.length, 0);
  });
});
