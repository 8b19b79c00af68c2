import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chargeCount, eventTypesFor, rawError, stripeError } from '../helpers/payments.js';
import { form, startTestServer, type TestServer } from '../helpers/server.js';

describe('payment intents', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  describe('create', () => {
    it('returns an intent in Stripe shape waiting for a payment method', async () => {
      const intent = await t.stripe.paymentIntents.create({
        amount: 2000,
        currency: 'USD',
        metadata: { order: '7' },
        description: 'Order 7',
      });
      assert.match(intent.id, /^pi_[A-Za-z0-9]+$/);
      assert.equal(intent.object, 'payment_intent');
      assert.ok(intent.client_secret?.startsWith(`${intent.id}_secret_`));
      assert.match(intent.client_secret!.slice(intent.id.length + 8), /^[A-Za-z0-9]+$/);
      assert.equal(intent.status, 'requires_payment_method');
      assert.equal(intent.currency, 'usd');
      assert.equal(intent.amount_received, 0);
      assert.equal(intent.amount_capturable, 0);
      assert.equal(intent.capture_method, 'automatic');
      assert.equal(intent.confirmation_method, 'automatic');
      assert.deepEqual(intent.payment_method_types, ['card']);
      assert.deepEqual(intent.metadata, { order: '7' });
      assert.equal(intent.latest_charge, null);
      assert.equal(intent.livemode, false);
    });

    it('waits for confirmation when a payment method is given without confirm', async () => {
      const intent = await t.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'eur',
        payment_method: 'pm_card_visa',
      });
      assert.equal(intent.status, 'requires_confirmation');
      assert.match(String(intent.payment_method), /^pm_[A-Za-z0-9]+$/);
      assert.notEqual(intent.payment_method, 'pm_card_visa');
    });

    it('saves raw card data as the payment method without confirming', async () => {
      const intent = await t.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method_data: {
          type: 'card',
          card: { number: '5555555555554444', exp_month: 1, exp_year: 2041 },
        } as any,
      });
      assert.equal(intent.status, 'requires_confirmation');
      const pm = await t.stripe.paymentMethods.retrieve(intent.payment_method as string);
      assert.equal(pm.card?.last4, '4444');
      const bad = await stripeError(() =>
        t.stripe.paymentIntents.create({
          amount: 1000,
          currency: 'usd',
          payment_method_data: {
            type: 'card',
            card: { number: '4242424242424241', exp_month: 1, exp_year: 2041 },
          } as any,
        }),
      );
      assert.equal(bad.statusCode, 402);
      assert.equal(bad.code, 'incorrect_number');
    });

    it('refuses bad amounts and currencies naming the parameter', async () => {
      const small = await stripeError(() =>
        t.stripe.paymentIntents.create({ amount: 10, currency: 'usd' }),
      );
      assert.equal(small.code, 'amount_too_small');
      assert.equal(small.param, 'amount');
      const zero = await stripeError(() =>
        t.stripe.paymentIntents.create({ amount: 0, currency: 'usd' }),
      );
      assert.equal(zero.code, 'parameter_invalid_integer');
      const large = await stripeError(() =>
        t.stripe.paymentIntents.create({ amount: 100_000_000, currency: 'usd' }),
      );
      assert.equal(large.code, 'amount_too_large');
      const currency = await stripeError(() =>
        t.stripe.paymentIntents.create({ amount: 1000, currency: 'xyz' }),
      );
      assert.equal(currency.param, 'currency');
      const missing = await stripeError(() =>
        t.stripe.paymentIntents.create({ currency: 'usd' } as any),
      );
      assert.equal(missing.code, 'parameter_missing');
      assert.equal(missing.param, 'amount');
    });

    it('refuses an unknown customer with resource_missing on customer', async () => {
      const error = await stripeError(() =>
        t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: 'cus_nope' }),
      );
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'resource_missing');
      assert.equal(error.param, 'customer');
    });

    it('refuses confirm-only parameters without confirm', async () => {
      const error = await stripeError(() =>
        t.stripe.paymentIntents.create({
          amount: 1000,
          currency: 'usd',
          return_url: 'https://shop.example/back',
        }),
      );
      assert.equal(error.param, 'return_url');
    });

    it('with confirm=true and no payment method is payment_intent_unexpected_state', async () => {
      const error = await stripeError(() =>
        t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true }),
      );
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'payment_intent_unexpected_state');
    });

    it('confirms in one call with confirm=true and emits events in order', async () => {
      const intent = await t.stripe.paymentIntents.create({
        amount: 1500,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      assert.equal(intent.status, 'succeeded');
      assert.equal(intent.amount_received, 1500);
      assert.deepEqual(await eventTypesFor(t, intent.id), [
        'payment_intent.created',
        'charge.succeeded',
        'payment_intent.succeeded',
      ]);
    });

    it('accepts raw card data through payment_method_data', async () => {
      const intent = await t.stripe.paymentIntents.create({
        amount: 1500,
        currency: 'usd',
        confirm: true,
        payment_method_data: {
          type: 'card',
          card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' },
          billing_details: { name: 'Ada Lovelace', email: 'ada@example.com' },
        } as any,
        expand: ['payment_method', 'latest_charge'],
      });
      assert.equal(intent.status, 'succeeded');
      const pm = intent.payment_method as any;
      assert.equal(pm.card.last4, '4242');
      assert.equal(pm.billing_details.name, 'Ada Lovelace');
      assert.equal((intent.latest_charge as any).billing_details.email, 'ada@example.com');
    });
  });

  describe('confirm', () => {
    it('succeeds with automatic capture: charge captured, amount received', async () => {
      const created = await t.stripe.paymentIntents.create({ amount: 2000, currency: 'usd' });
      const intent = await t.stripe.paymentIntents.confirm(created.id, {
        payment_method: 'pm_card_visa',
        expand: ['latest_charge'],
      });
      assert.equal(intent.status, 'succeeded');
      assert.equal(intent.amount_received, 2000);
      const charge = intent.latest_charge as any;
      assert.match(charge.id, /^ch_[A-Za-z0-9]+$/);
      assert.equal(charge.captured, true);
      assert.equal(charge.amount_captured, 2000);
      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.paid, true);
      assert.equal(charge.payment_intent, intent.id);
      assert.equal(charge.outcome.type, 'authorized');
      assert.equal(charge.payment_method_details.card.last4, '4242');
    });

    it('confirms a requires_confirmation intent with its own payment method', async () => {
      const created = await t.stripe.paymentIntents.create({
        amount: 2000,
        currency: 'usd',
        payment_method: 'pm_card_mastercard',
      });
      const intent = await t.stripe.paymentIntents.confirm(created.id);
      assert.equal(intent.status, 'succeeded');
    });

    it('refuses an intent with no payment method anywhere', async () => {
      const created = await t.stripe.paymentIntents.create({ amount: 2000, currency: 'usd' });
      const error = await stripeError(() => t.stripe.paymentIntents.confirm(created.id));
      assert.equal(error.code, 'payment_intent_unexpected_state');
      assert.equal(rawError(error).payment_intent?.id, created.id);
    });

    it('refuses a succeeded intent', async () => {
      const intent = await t.stripe.paymentIntents.create({
        amount: 2000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      const error = await stripeError(() =>
        t.stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }),
      );
      assert.equal(error.code, 'payment_intent_unexpected_state');
      assert.match(error.message, /already succeeded/);
    });

    it('refuses requires_capture and canceled intents', async () => {
      const held = await t.stripe.paymentIntents.create({
        amount: 2000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        capture_method: 'manual',
        confirm: true,
      });
      const fromCapture = await stripeError(() => t.stripe.paymentIntents.confirm(held.id));
      assert.equal(fromCapture.code, 'payment_intent_unexpected_state');
      const canceled = await t.stripe.paymentIntents.create({ amount: 2000, currency: 'usd' });
      await t.stripe.paymentIntents.cancel(canceled.id);
      const fromCanceled = await stripeError(() =>
        t.stripe.paymentIntents.confirm(canceled.id, { payment_method: 'pm_card_visa' }),
      );
      assert.equal(fromCanceled.code, 'payment_intent_unexpected_state');
    });

    it('refuses to reuse a payment method that paid without a customer', async () => {
      const first = await t.stripe.paymentIntents.create({
        amount: 2000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      const error = await stripeError(() =>
        t.stripe.paymentIntents.create({
          amount: 2000,
          currency: 'usd',
          payment_method: first.payment_method as string,
          confirm: true,
        }),
      );
      assert.equal(error.code, 'payment_method_unexpected_state');
    });

    it('refuses a payment method attached to another customer', async () => {
      const owner = await t.stripe.customers.create({});
      const other = await t.stripe.customers.create({});
      const pm = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: owner.id });
      const error = await stripeError(() =>
        t.stripe.paymentIntents.create({
          amount: 2000,
          currency: 'usd',
          customer: other.id,
          payment_method: pm.id,
          confirm: true,
        }),
      );
      assert.equal(error.param, 'payment_method');
      const paid = await t.stripe.paymentIntents.create({
        amount: 2000,
        currency: 'usd',
        customer: owner.id,
        payment_method: pm.id,
        confirm: true,
      });
      assert.equal(paid.status, 'succeeded');
    });

    it('refuses an unknown payment method and an unknown intent', async () => {
      const created = await t.stripe.paymentIntents.create({ amount: 2000, currency: 'usd' });
      const pm = await stripeError(() =>
        t.stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_nope' }),
      );
      assert.equal(pm.code, 'resource_missing');
      assert.equal(pm.param, 'payment_method');
      const intent = await stripeError(() => t.stripe.paymentIntents.confirm('pi_nope'));
      assert.equal(intent.statusCode, 404);
      assert.equal(intent.code, 'resource_missing');
    });
  });

  describe('declines', () => {
    it('answers 402 with charge, payment_intent and payment_method, and commits them', async () => {
      const created = await t.stripe.paymentIntents.create({ amount: 2000, currency: 'usd' });
      const error = await stripeError(() =>
        t.stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_chargeDeclined' }),
      );
      assert.equal(error.statusCode, 402);
      assert.equal(error.type, 'StripeCardError');
      assert.equal(error.code, 'card_declined');
      assert.equal(error.decline_code, 'generic_decline');
      const raw = rawError(error);
      assert.equal(raw.type, 'card_error');
      assert.match(raw.charge, /^ch_/);
      assert.equal(raw.payment_intent.id, created.id);
      assert.equal(raw.payment_intent.status, 'requires_payment_method');
      assert.equal(raw.payment_intent.last_payment_error.code, 'card_declined');
      assert.equal(raw.payment_intent.latest_charge, raw.charge);
      assert.equal(raw.payment_method.object, 'payment_method');

      const charge = await t.stripe.charges.retrieve(raw.charge);
      assert.equal(charge.status, 'failed');
      assert.equal(charge.paid, false);
      assert.equal(charge.failure_code, 'card_declined');
      assert.equal(charge.outcome?.type, 'issuer_declined');
      assert.equal(charge.balance_transaction, null);
      const intent = await t.stripe.paymentIntents.retrieve(created.id);
      assert.equal(intent.status, 'requires_payment_method');
      assert.equal(intent.last_payment_error?.code, 'card_declined');
      const events = await eventTypesFor(t, created.id);
      assert.deepEqual(events.slice(-2), ['charge.failed', 'payment_intent.payment_failed']);
    });

    it('can be retried with another card, and the update clears the last error', async () => {
      const created = await t.stripe.paymentIntents.create({ amount: 2000, currency: 'usd' });
      await stripeError(() =>
        t.stripe.paymentIntents.confirm(created.id, {
          payment_method: 'pm_card_chargeDeclinedInsufficientFunds',
        }),
      );
      const succeeded = await t.stripe.paymentIntents.confirm(created.id, {
        payment_method: 'pm_card_visa',
      });
      assert.equal(succeeded.status, 'succeeded');
      assert.equal(succeeded.last_payment_error, null);
      const charges = await t.stripe.charges.list({ payment_intent: created.id });
      assert.equal(charges.data.length, 2);
      assert.deepEqual(
        charges.data.map((c) => c.status),
        ['succeeded', 'failed'],
      );
    });

    it('replays a decline for the same idempotency key without a second charge', async () => {
      const created = await t.stripe.paymentIntents.create({ amount: 2000, currency: 'usd' });
      const send = () =>
        t.fetch(`/v1/payment_intents/${created.id}/confirm`, {
          ...form({ payment_method: 'pm_card_chargeDeclined' }),
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'idempotency-key': `decline-${created.id}`,
          },
        });
      const first = await send();
      const second = await send();
      assert.equal(first.status, 402);
      assert.equal(second.status, 402);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(await second.json(), await first.json());
      assert.equal(await chargeCount(t, created.id), 1);
    });
  });

  describe('idempotency', () => {
    it('replays a create+confirm with raw card data, and refuses other parameters', async () => {
      const key = `card-create-${Date.now()}`;
      const params = {
        amount: 1700,
        currency: 'usd',
        confirm: true,
        payment_method_data: {
          type: 'card',
          card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' },
        },
      } as any;
      const first = await t.stripe.paymentIntents.create(params, { idempotencyKey: key });
      const second = await t.stripe.paymentIntents.create(params, { idempotencyKey: key });
      assert.equal(second.id, first.id);
      assert.equal(second.lastResponse.headers['idempotent-replayed'], 'true');
      const other = await stripeError(() =>
        t.stripe.paymentIntents.create(
          {
            ...params,
            payment_method_data: {
              ...params.payment_method_data,
              card: { ...params.payment_method_data.card, number: '5555555555554444' },
            },
          },
          { idempotencyKey: key },
        ),
      );
      assert.equal(other.type, 'StripeIdempotencyError');
    });
  });

  describe('test cards', () => {
    const SUCCESS = [
      'pm_card_visa',
      'pm_card_visa_debit',
      'pm_card_mastercard',
      'pm_card_mastercard_debit',
      'pm_card_mastercard_prepaid',
      'pm_card_amex',
      'pm_card_discover',
      'pm_card_diners',
      'pm_card_jcb',
      'pm_card_unionpay',
      'tok_visa',
      'pm_card_threeDSecureOptional',
      'pm_card_bypassPending',
      'pm_card_createDispute',
    ];
    for (const card of SUCCESS) {
      it(`${card} succeeds`, async () => {
        const intent = await t.stripe.paymentIntents.create({
          amount: 1000,
          currency: 'usd',
          payment_method: card,
          confirm: true,
        });
        assert.equal(intent.status, 'succeeded');
      });
    }

    const DECLINES: Array<[string, string, string | undefined]> = [
      ['pm_card_chargeDeclined', 'card_declined', 'generic_decline'],
      ['pm_card_visa_chargeDeclined', 'card_declined', 'generic_decline'],
      ['tok_chargeDeclined', 'card_declined', 'generic_decline'],
      ['pm_card_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
      ['pm_card_chargeDeclinedLostCard', 'card_declined', 'lost_card'],
      ['pm_card_chargeDeclinedStolenCard', 'card_declined', 'stolen_card'],
      ['pm_card_chargeDeclinedExpiredCard', 'expired_card', undefined],
      ['pm_card_chargeDeclinedIncorrectCvc', 'incorrect_cvc', undefined],
      ['pm_card_chargeDeclinedProcessingError', 'processing_error', undefined],
      [
        'pm_card_visa_chargeDeclinedVelocityLimitExceeded',
        'card_declined',
        'card_velocity_exceeded',
      ],
      ['pm_card_chargeDeclinedFraudulent', 'card_declined', 'fraudulent'],
      ['pm_card_chargeCustomerFail', 'card_declined', 'generic_decline'],
    ];
    for (const [card, code, declineCode] of DECLINES) {
      it(`${card} declines with ${code}${declineCode ? `/${declineCode}` : ''}`, async () => {
        const error = await stripeError(() =>
          t.stripe.paymentIntents.create({
            amount: 1000,
            currency: 'usd',
            payment_method: card,
            confirm: true,
          }),
        );
        assert.equal(error.statusCode, 402);
        assert.equal(error.code, code);
        assert.equal(rawError(error).decline_code, declineCode);
        assert.equal(rawError(error).payment_intent.status, 'requires_payment_method');
      });
    }

    it('a radar block is recorded as blocked', async () => {
      const error = await stripeError(() =>
        t.stripe.paymentIntents.create({
          amount: 1000,
          currency: 'usd',
          payment_method: 'pm_card_radarBlock',
          confirm: true,
        }),
      );
      const charge = await t.stripe.charges.retrieve(rawError(error).charge);
      assert.equal(charge.outcome?.type, 'blocked');
    });

    const ACTION = [
      'pm_card_threeDSecure2Required',
      'pm_card_threeDSecureRequired',
      'pm_card_authenticationRequired',
      'pm_card_authenticationRequiredOnSetup',
      'pm_card_authenticationRequiredChargeDeclinedInsufficientFunds',
      'pm_card_threeDSecureRequiredChargeDeclined',
    ];
    for (const card of ACTION) {
      it(`${card} requires action on-session`, async () => {
        const intent = await t.stripe.paymentIntents.create({
          amount: 1000,
          currency: 'usd',
          payment_method: card,
          confirm: true,
        });
        assert.equal(intent.status, 'requires_action');
        assert.equal(intent.next_action?.type, 'use_stripe_sdk');
        assert.equal(intent.latest_charge, null);
      });
    }

    it('off-session, a card needing authentication declines', async () => {
      const error = await stripeError(() =>
        t.stripe.paymentIntents.create({
          amount: 1000,
          currency: 'usd',
          payment_method: 'pm_card_authenticationRequired',
          confirm: true,
          off_session: true,
        }),
      );
      assert.equal(error.statusCode, 402);
      assert.equal(error.code, 'authentication_required');
      assert.equal(error.decline_code, 'authentication_required');
      assert.equal(rawError(error).payment_intent.status, 'requires_payment_method');
    });

    it('error_on_requires_action turns a required action into a 402', async () => {
      const error = await stripeError(() =>
        t.stripe.paymentIntents.create({
          amount: 1000,
          currency: 'usd',
          payment_method: 'pm_card_threeDSecure2Required',
          confirm: true,
          error_on_requires_action: true,
        }),
      );
      assert.equal(error.statusCode, 402);
      assert.equal(error.code, 'authentication_required');
    });
  });
});
