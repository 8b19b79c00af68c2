import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { form, startTestServer, type TestServer } from '../helpers/server.js';
import { all, pay, stripeError } from './support.js';

describe('refunds', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const chargeOf = async (pi: Stripe.PaymentIntent) =>
    t.stripe.charges.retrieve(String(pi.latest_charge));

  async function eventsOfType(type: string) {
    const rows = await t.server.services.store.db
      .selectFrom('events')
      .selectAll()
      .where('type', '=', type)
      .execute();
    return rows.map((r) => JSON.parse(r.data) as { object: any; previous_attributes?: any });
  }

  describe('create', () => {
    it('refunds what is left by default, with a balance transaction and events', async () => {
      const pi = await pay(t.stripe, { amount: 2000 });
      const refund = await t.stripe.refunds.create({ payment_intent: pi.id, reason: 'duplicate' });
      assert.match(refund.id, /^re_[A-Za-z0-9]+$/);
      assert.equal(refund.object, 'refund');
      assert.equal(refund.amount, 2000);
      assert.equal(refund.status, 'succeeded');
      assert.equal(refund.reason, 'duplicate');
      assert.equal(refund.charge, pi.latest_charge);
      assert.equal(refund.payment_intent, pi.id);
      assert.deepEqual(refund.metadata, {});

      const txn = await t.stripe.balanceTransactions.retrieve(String(refund.balance_transaction));
      assert.equal(txn.type, 'refund');
      assert.equal(txn.reporting_category, 'refund');
      assert.equal(txn.amount, -2000);
      assert.equal(txn.fee, 0);
      assert.equal(txn.net, -2000);
      assert.equal(txn.source, refund.id);
      assert.equal(txn.status, 'available');

      const charge = await chargeOf(pi);
      assert.equal(charge.amount_refunded, 2000);
      assert.equal(charge.refunded, true);
      assert.equal((await t.stripe.paymentIntents.retrieve(pi.id)).status, 'succeeded');

      const refunded = (await eventsOfType('charge.refunded')).find(
        (e) => e.object.id === charge.id,
      );
      assert.ok(refunded);
      assert.equal(refunded.object.object, 'charge');
      assert.deepEqual(refunded.previous_attributes, { amount_refunded: 0, refunded: false });
      const created = (await eventsOfType('refund.created')).find((e) => e.object.id === refund.id);
      assert.equal(created?.object.amount, 2000);
    });

    it('allows partial refunds up to the captured amount, then refuses', async () => {
      const pi = await pay(t.stripe, { amount: 1000 });
      const charge = String(pi.latest_charge);
      await t.stripe.refunds.create({ charge, amount: 300 });
      await t.stripe.refunds.create({ charge, amount: 300 });
      const over = await stripeError(() => t.stripe.refunds.create({ charge, amount: 401 }));
      assert.equal(over.statusCode, 400);
      assert.equal(over.type, 'StripeInvalidRequestError');
      assert.equal(over.param, 'amount');
      assert.equal((await t.stripe.charges.retrieve(charge)).amount_refunded, 600);
      assert.equal((await t.stripe.charges.retrieve(charge)).refunded, false);

      const rest = await t.stripe.refunds.create({ charge });
      assert.equal(rest.amount, 400);
      const done = await stripeError(() => t.stripe.refunds.create({ charge, amount: 1 }));
      assert.equal(done.statusCode, 400);
      assert.equal(done.code, 'charge_already_refunded');
      const again = await stripeError(() => t.stripe.refunds.create({ payment_intent: pi.id }));
      assert.equal(again.code, 'charge_already_refunded');
    });

    it('refuses bad parameters naming them, changing nothing', async () => {
      const pi = await pay(t.stripe, { amount: 1000 });
      const charge = String(pi.latest_charge);
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ charge, amount: 0 }, 'amount'],
        [{ charge, amount: -5 }, 'amount'],
        [{ charge, reason: 'bored' }, 'reason'],
        [{ charge: 'ch_nope' }, 'charge'],
        [{ payment_intent: 'pi_nope' }, 'payment_intent'],
        [{}, 'charge'],
        [{ charge, colour: 'red' }, 'colour'],
      ];
      for (const [params, param] of cases) {
        const error = await stripeError(() => t.stripe.refunds.create(params as never));
        assert.equal(error.statusCode, 400, JSON.stringify(params));
        assert.equal(error.param, param, JSON.stringify(params));
      }
      assert.equal((await t.stripe.charges.retrieve(charge)).amount_refunded, 0);
      assert.equal((await all(t.stripe.refunds.list({ charge }))).length, 0);
    });

    it('refuses a failed charge and an intent without a successful charge', async () => {
      const declined = await stripeError(() =>
        pay(t.stripe, { amount: 1000, paymentMethod: 'pm_card_chargeDeclined' }),
      );
      assert.equal(declined.statusCode, 402);
      const failedCharge = String(declined.raw && (declined.raw as any).charge);
      const onCharge = await stripeError(() => t.stripe.refunds.create({ charge: failedCharge }));
      assert.equal(onCharge.statusCode, 400);
      assert.equal(onCharge.param, 'charge');
      const intentId = (declined.raw as any).payment_intent.id as string;
      const onIntent = await stripeError(() =>
        t.stripe.refunds.create({ payment_intent: intentId }),
      );
      assert.equal(onIntent.statusCode, 400);
      assert.equal(onIntent.param, 'payment_intent');
    });

    it('releases an uncaptured charge only whole by canceling its intent', async () => {
      const pi = await pay(t.stripe, { amount: 1500, manual: true });
      assert.equal(pi.status, 'requires_capture');
      const charge = String(pi.latest_charge);
      const partial = await stripeError(() => t.stripe.refunds.create({ charge, amount: 500 }));
      assert.equal(partial.statusCode, 400);
      assert.equal(partial.param, 'amount');

      const refund = await t.stripe.refunds.create({ charge });
      assert.equal(refund.amount, 1500);
      assert.equal(refund.status, 'succeeded');
      assert.equal(refund.balance_transaction, null);
      const after = await t.stripe.charges.retrieve(charge);
      assert.equal(after.refunded, true);
      assert.equal(after.amount_captured, 0);
      assert.equal(after.balance_transaction, null);
      assert.equal((await t.stripe.paymentIntents.retrieve(pi.id)).status, 'canceled');
      assert.equal(
        (await all(t.stripe.balanceTransactions.list({ source: charge } as never))).length,
        0,
      );
      const again = await stripeError(() => t.stripe.refunds.create({ charge }));
      assert.equal(again.code, 'charge_already_refunded');
    });

    it('writes a negative customer history line for a refund', async () => {
      const customer = await t.stripe.customers.create({ email: 'refund@example.com' });
      const pi = await pay(t.stripe, { amount: 1200, customer: customer.id });
      const refund = await t.stripe.refunds.create({ payment_intent: pi.id, amount: 200 });
      const rows = await t.server.services.store.db
        .selectFrom('customer_transactions')
        .selectAll()
        .where('customer_id', '=', customer.id)
        .where('type', '=', 'refund')
        .execute();
      assert.equal(rows.length, 1);
      assert.equal(Number(rows[0].amount), -200);
      assert.equal(rows[0].source_id, refund.id);
      assert.equal(rows[0].currency, 'usd');
    });
  });

  describe('cancel of a manual-capture intent', () => {
    it('releases the authorisation without a refund or balance transaction', async () => {
      const pi = await pay(t.stripe, { amount: 900, manual: true });
      const canceled = await t.stripe.paymentIntents.cancel(pi.id);
      assert.equal(canceled.status, 'canceled');
      const charge = String(pi.latest_charge);
      assert.equal((await all(t.stripe.refunds.list({ charge }))).length, 0);
      assert.equal((await t.stripe.charges.retrieve(charge)).balance_transaction, null);
      assert.equal(
        (await all(t.stripe.balanceTransactions.list({ source: charge } as never))).length,
        0,
      );
    });
  });

  describe('retrieve, update and list', () => {
    it('updates metadata only, emitting refund.updated', async () => {
      const pi = await pay(t.stripe, { amount: 800 });
      const refund = await t.stripe.refunds.create({
        payment_intent: pi.id,
        amount: 100,
        metadata: { a: '1', b: '2' },
      });
      const updated = await t.stripe.refunds.update(refund.id, { metadata: { a: '', c: '3' } });
      assert.deepEqual(updated.metadata, { b: '2', c: '3' });
      assert.deepEqual(await t.stripe.refunds.retrieve(refund.id), updated);
      const event = (await eventsOfType('refund.updated')).find((e) => e.object.id === refund.id);
      assert.deepEqual(event?.previous_attributes, { metadata: { a: '1', b: '2' } });
      const onCharge = await eventsOfType('charge.refund.updated');
      assert.ok(onCharge.some((e) => e.object.id === refund.id));
      const amount = await stripeError(() =>
        t.stripe.refunds.update(refund.id, { amount: 5 } as never),
      );
      assert.equal(amount.code, 'parameter_unknown');
      assert.equal(amount.param, 'amount');
      const missing = await stripeError(() => t.stripe.refunds.retrieve('re_nope'));
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.code, 'resource_missing');
    });

    it('lists by charge and by payment intent, newest first, and on the legacy path', async () => {
      const pi = await pay(t.stripe, { amount: 1000 });
      const charge = String(pi.latest_charge);
      const first = await t.stripe.refunds.create({ charge, amount: 100 });
      const second = await t.stripe.refunds.create({ charge, amount: 200 });
      const byCharge = await t.stripe.refunds.list({ charge });
      assert.deepEqual(
        byCharge.data.map((r) => r.id),
        [second.id, first.id],
      );
      assert.equal(byCharge.url, '/v1/refunds');
      const byIntent = await t.stripe.refunds.list({ payment_intent: pi.id, limit: 1 });
      assert.deepEqual(
        byIntent.data.map((r) => r.id),
        [second.id],
      );
      assert.equal(byIntent.has_more, true);

      const legacy = await t.fetch(`/v1/charges/${charge}/refunds`);
      const body = await legacy.json();
      assert.equal(body.url, `/v1/charges/${charge}/refunds`);
      assert.deepEqual(
        body.data.map((r: { id: string }) => r.id),
        [second.id, first.id],
      );
      const created = await t.fetch(`/v1/charges/${charge}/refunds`, form({ amount: '50' }));
      assert.equal(created.status, 200);
      assert.equal((await created.json()).amount, 50);
      const one = await t.fetch(`/v1/charges/${charge}/refunds/${first.id}`);
      assert.equal((await one.json()).id, first.id);
      const elsewhere = await pay(t.stripe, { amount: 1000 });
      const wrong = await t.fetch(`/v1/charges/${elsewhere.latest_charge}/refunds/${first.id}`);
      assert.equal(wrong.status, 404);
      const unknown = await t.fetch('/v1/charges/ch_nope/refunds', form({ amount: '50' }));
      assert.equal(unknown.status, 404);
      assert.equal((await unknown.json()).error.code, 'resource_missing');
    });

    it('shows charge refunds only when expanded, and expands balance transactions', async () => {
      const pi = await pay(t.stripe, { amount: 1000 });
      const charge = String(pi.latest_charge);
      const refund = await t.stripe.refunds.create({ charge, amount: 100 });
      const plain = await t.stripe.charges.retrieve(charge);
      assert.equal('refunds' in plain, false);
      const expanded = await t.stripe.charges.retrieve(charge, { expand: ['refunds'] });
      assert.equal(expanded.refunds?.object, 'list');
      assert.equal(expanded.refunds?.url, `/v1/charges/${charge}/refunds`);
      assert.deepEqual(
        expanded.refunds?.data.map((r) => r.id),
        [refund.id],
      );

      const withTxn = await t.stripe.refunds.retrieve(refund.id, {
        expand: ['balance_transaction'],
      });
      assert.equal((withTxn.balance_transaction as Stripe.BalanceTransaction).amount, -100);
      const chargeTxn = await t.stripe.charges.retrieve(charge, {
        expand: ['balance_transaction'],
      });
      const txn = chargeTxn.balance_transaction as Stripe.BalanceTransaction;
      assert.equal(txn.object, 'balance_transaction');
      assert.equal(txn.amount, 1000);
      const source = await t.stripe.balanceTransactions.retrieve(txn.id, { expand: ['source'] });
      assert.equal((source.source as Stripe.Charge).id, charge);
      const created = await t.stripe.refunds.create({ charge, amount: 1, expand: ['charge'] });
      assert.equal((created.charge as Stripe.Charge).amount_refunded, 101);
    });
  });

  describe('idempotency', () => {
    it('replays a refund retried with the same key, refunding once', async () => {
      const pi = await pay(t.stripe, { amount: 1000 });
      const charge = String(pi.latest_charge);
      const idempotencyKey = `refund-${pi.id}`;
      const first = await t.stripe.refunds.create({ charge, amount: 100 }, { idempotencyKey });
      const again = await t.stripe.refunds.create({ charge, amount: 100 }, { idempotencyKey });
      assert.equal(again.id, first.id);
      assert.equal((await t.stripe.charges.retrieve(charge)).amount_refunded, 100);
      assert.equal((await all(t.stripe.refunds.list({ charge }))).length, 1);
      const other = await stripeError(() =>
        t.stripe.refunds.create({ charge, amount: 200 }, { idempotencyKey }),
      );
      assert.equal(other.type, 'StripeIdempotencyError');
    });
  });

  describe('concurrency', () => {
    it('never refunds more than was captured when refunds race', async () => {
      const pi = await pay(t.stripe, { amount: 1000 });
      const charge = String(pi.latest_charge);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => t.stripe.refunds.create({ charge, amount: 300 })),
      );
      const succeeded = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected');
      assert.equal(succeeded.length, 3);
      for (const r of refused) {
        const error = (r as PromiseRejectedResult).reason as Stripe.errors.StripeError;
        assert.equal(error.statusCode, 400);
        assert.equal(error.param, 'amount');
      }
      const refunds = await all(t.stripe.refunds.list({ charge }));
      assert.equal(refunds.length, succeeded.length);
      const sum = refunds.reduce((s, r) => s + r.amount, 0);
      assert.equal(sum, 900);
      assert.equal((await t.stripe.charges.retrieve(charge)).amount_refunded, sum);
      const txns = await all(t.stripe.balanceTransactions.list({ type: 'refund' }));
      const ours = txns.filter((txn) => refunds.some((r) => r.id === txn.source));
      assert.equal(ours.length, refunds.length);
    });
  });
});
