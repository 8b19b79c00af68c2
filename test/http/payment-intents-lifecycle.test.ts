import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventTypesFor, rawError, stripeError } from '../helpers/payments.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('payment intents', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const authorised = (amount = 5000) =>
    t.stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      capture_method: 'manual',
      confirm: true,
    });

  describe('manual capture', () => {
    it('holds the money on confirm and captures it all', async () => {
      const held = await authorised();
      assert.equal(held.status, 'requires_capture');
      assert.equal(held.amount_capturable, 5000);
      assert.equal(held.amount_received, 0);
      const heldCharge = await t.stripe.charges.retrieve(held.latest_charge as string);
      assert.equal(heldCharge.captured, false);
      assert.equal(heldCharge.amount_captured, 0);
      assert.equal(heldCharge.paid, true);

      const captured = await t.stripe.paymentIntents.capture(held.id);
      assert.equal(captured.status, 'succeeded');
      assert.equal(captured.amount_received, 5000);
      assert.equal(captured.amount_capturable, 0);
      const charge = await t.stripe.charges.retrieve(captured.latest_charge as string);
      assert.equal(charge.captured, true);
      assert.equal(charge.amount_captured, 5000);
      assert.deepEqual(await eventTypesFor(t, held.id), [
        'payment_intent.created',
        'charge.succeeded',
        'payment_intent.amount_capturable_updated',
        'charge.captured',
        'payment_intent.succeeded',
      ]);
    });

    it('captures part of the authorisation', async () => {
      const held = await authorised();
      const captured = await t.stripe.paymentIntents.capture(held.id, { amount_to_capture: 3000 });
      assert.equal(captured.status, 'succeeded');
      assert.equal(captured.amount_received, 3000);
      assert.equal(captured.amount_capturable, 0);
      const charge = await t.stripe.charges.retrieve(captured.latest_charge as string);
      assert.equal(charge.amount, 5000);
      assert.equal(charge.amount_captured, 3000);
    });

    it('refuses to capture more than is capturable', async () => {
      const held = await authorised();
      const error = await stripeError(() =>
        t.stripe.paymentIntents.capture(held.id, { amount_to_capture: 5001 }),
      );
      assert.equal(error.statusCode, 400);
      assert.equal(error.type, 'StripeInvalidRequestError');
      assert.equal(error.param, 'amount_to_capture');
      const still = await t.stripe.paymentIntents.retrieve(held.id);
      assert.equal(still.status, 'requires_capture');
    });

    it('refuses to capture from any status but requires_capture', async () => {
      const open = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const error = await stripeError(() => t.stripe.paymentIntents.capture(open.id));
      assert.equal(error.code, 'payment_intent_unexpected_state');
      assert.match(error.message, /requires_payment_method/);
      const held = await authorised();
      await t.stripe.paymentIntents.capture(held.id);
      const again = await stripeError(() => t.stripe.paymentIntents.capture(held.id));
      assert.equal(again.code, 'payment_intent_unexpected_state');
    });
  });

  describe('cancel', () => {
    it('cancels an open intent with a reason', async () => {
      const open = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const canceled = await t.stripe.paymentIntents.cancel(open.id, {
        cancellation_reason: 'requested_by_customer',
      });
      assert.equal(canceled.status, 'canceled');
      assert.equal(canceled.cancellation_reason, 'requested_by_customer');
      assert.equal(typeof canceled.canceled_at, 'number');
      assert.deepEqual((await eventTypesFor(t, open.id)).slice(-1), ['payment_intent.canceled']);
    });

    it('cancels intents waiting for confirmation or for 3-D Secure', async () => {
      for (const card of ['pm_card_visa', 'pm_card_threeDSecure2Required']) {
        const intent = await t.stripe.paymentIntents.create({
          amount: 1000,
          currency: 'usd',
          payment_method: card,
          confirm: card !== 'pm_card_visa',
        });
        assert.ok(['requires_confirmation', 'requires_action'].includes(intent.status));
        const canceled = await t.stripe.paymentIntents.cancel(intent.id, {
          cancellation_reason: 'abandoned',
        });
        assert.equal(canceled.status, 'canceled');
        assert.equal(canceled.next_action, null);
      }
    });

    it('releases an authorisation: the charge reads as refunded', async () => {
      const held = await authorised();
      const canceled = await t.stripe.paymentIntents.cancel(held.id);
      assert.equal(canceled.status, 'canceled');
      assert.equal(canceled.amount_capturable, 0);
      assert.equal(canceled.cancellation_reason, null);
      const charge = await t.stripe.charges.retrieve(held.latest_charge as string);
      assert.equal(charge.refunded, true);
      assert.equal(charge.amount_refunded, 5000);
      assert.equal(charge.captured, false);
    });

    it('refuses succeeded and canceled intents, listing the cancelable statuses', async () => {
      const done = await t.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      const error = await stripeError(() => t.stripe.paymentIntents.cancel(done.id));
      assert.equal(error.code, 'payment_intent_unexpected_state');
      assert.match(error.message, /requires_capture/);
      const open = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      await t.stripe.paymentIntents.cancel(open.id);
      const twice = await stripeError(() => t.stripe.paymentIntents.cancel(open.id));
      assert.equal(twice.code, 'payment_intent_unexpected_state');
    });

    it('refuses an unknown cancellation_reason', async () => {
      const open = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const error = await stripeError(() =>
        t.stripe.paymentIntents.cancel(open.id, { cancellation_reason: 'bored' as any }),
      );
      assert.equal(error.param, 'cancellation_reason');
      assert.equal(
        (await t.stripe.paymentIntents.retrieve(open.id)).status,
        'requires_payment_method',
      );
    });
  });

  describe('update', () => {
    it('changes the amount and metadata before payment', async () => {
      const open = await t.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        metadata: { a: '1' },
      });
      const updated = await t.stripe.paymentIntents.update(open.id, {
        amount: 1200,
        metadata: { b: '2' },
        description: 'bigger',
      });
      assert.equal(updated.amount, 1200);
      assert.deepEqual(updated.metadata, { a: '1', b: '2' });
      assert.equal(updated.description, 'bigger');
      assert.equal(updated.status, 'requires_payment_method');
    });

    it('moves to requires_confirmation when a payment method is set', async () => {
      const open = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const updated = await t.stripe.paymentIntents.update(open.id, {
        payment_method: 'pm_card_visa',
      });
      assert.equal(updated.status, 'requires_confirmation');
      const confirmed = await t.stripe.paymentIntents.confirm(open.id);
      assert.equal(confirmed.status, 'succeeded');
    });

    it('sends an intent waiting for 3-D Secure back to requires_confirmation', async () => {
      const waiting = await t.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method: 'pm_card_threeDSecure2Required',
        confirm: true,
      });
      assert.equal(waiting.status, 'requires_action');
      const updated = await t.stripe.paymentIntents.update(waiting.id, { amount: 1100 });
      assert.equal(updated.status, 'requires_confirmation');
      assert.equal(updated.next_action, null);
    });

    it('refuses payment details on an authorised intent', async () => {
      const held = await authorised();
      const error = await stripeError(() =>
        t.stripe.paymentIntents.update(held.id, { payment_method: 'pm_card_mastercard' }),
      );
      assert.equal(error.code, 'payment_intent_unexpected_state');
    });

    it('clears last_payment_error', async () => {
      const open = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      await stripeError(() =>
        t.stripe.paymentIntents.confirm(open.id, { payment_method: 'pm_card_chargeDeclined' }),
      );
      const updated = await t.stripe.paymentIntents.update(open.id, { description: 'retry' });
      assert.equal(updated.last_payment_error, null);
    });

    it('refuses to change the amount after payment but updates metadata', async () => {
      const done = await t.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      const error = await stripeError(() =>
        t.stripe.paymentIntents.update(done.id, { amount: 2000 }),
      );
      assert.equal(error.code, 'payment_intent_unexpected_state');
      assert.equal(rawError(error).payment_intent.amount, 1000);
      const updated = await t.stripe.paymentIntents.update(done.id, { metadata: { note: 'x' } });
      assert.deepEqual(updated.metadata, { note: 'x' });
      assert.equal(updated.status, 'succeeded');
    });

    it('refuses an update of a canceled intent', async () => {
      const open = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      await t.stripe.paymentIntents.cancel(open.id);
      const error = await stripeError(() =>
        t.stripe.paymentIntents.update(open.id, { description: 'late' }),
      );
      assert.equal(error.code, 'payment_intent_unexpected_state');
    });
  });

  describe('retrieve and list', () => {
    it('retrieves with expansions and 404s an unknown id', async () => {
      const customer = await t.stripe.customers.create({ email: 'x@example.com' });
      const done = await t.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        customer: customer.id,
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      const intent = await t.stripe.paymentIntents.retrieve(done.id, {
        expand: ['customer', 'payment_method', 'latest_charge'],
      });
      assert.equal((intent.customer as any).email, 'x@example.com');
      assert.equal((intent.payment_method as any).object, 'payment_method');
      assert.equal((intent.latest_charge as any).object, 'charge');
      const error = await stripeError(() => t.stripe.paymentIntents.retrieve('pi_missing'));
      assert.equal(error.statusCode, 404);
      assert.equal(error.code, 'resource_missing');
    });

    it('lists a customer’s intents newest first with cursors', async () => {
      const customer = await t.stripe.customers.create({});
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const pi = await t.stripe.paymentIntents.create({
          amount: 1000 + i,
          currency: 'usd',
          customer: customer.id,
        });
        ids.push(pi.id);
      }
      const first = await t.stripe.paymentIntents.list({ customer: customer.id, limit: 2 });
      assert.deepEqual(
        first.data.map((p) => p.id),
        [ids[2], ids[1]],
      );
      assert.equal(first.has_more, true);
      const second = await t.stripe.paymentIntents.list({
        customer: customer.id,
        limit: 2,
        starting_after: ids[1],
      });
      assert.deepEqual(
        second.data.map((p) => p.id),
        [ids[0]],
      );
      assert.equal(second.has_more, false);
      const all = [];
      for await (const pi of t.stripe.paymentIntents.list({ customer: customer.id, limit: 1 })) {
        all.push(pi.id);
      }
      assert.deepEqual(all, [...ids].reverse());
    });
  });
});
