import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { rawError, stripeError } from '../helpers/payments.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('payment intents with a publishable key', () => {
  let t: TestServer;
  let pk: Stripe;
  before(async () => {
    t = await startTestServer();
    pk = t.stripeWith(t.publishableKey);
  });
  after(() => t.close());

  const open = () =>
    t.stripe.paymentIntents.create({
      amount: 1800,
      currency: 'usd',
      metadata: { secret: 'merchant-only' },
    });

  it('retrieves the reduced intent with the client secret', async () => {
    const created = await open();
    const intent = await pk.paymentIntents.retrieve(created.id, {
      client_secret: created.client_secret!,
    });
    assert.equal(intent.id, created.id);
    assert.equal(intent.status, 'requires_payment_method');
    assert.equal(intent.client_secret, created.client_secret);
    assert.equal('metadata' in intent, false);
    assert.equal('customer' in intent, false);
    assert.equal('latest_charge' in intent, false);
  });

  it('refuses a retrieve without or with a wrong client secret', async () => {
    const created = await open();
    const missing = await stripeError(() => pk.paymentIntents.retrieve(created.id));
    assert.equal(missing.type, 'StripeInvalidRequestError');
    assert.equal(missing.param, 'client_secret');
    const wrong = await stripeError(() =>
      pk.paymentIntents.retrieve(created.id, { client_secret: `${created.id}_secret_nope` }),
    );
    assert.equal(wrong.param, 'client_secret');
  });

  it('lets a secret key pass the client secret too, but checks it', async () => {
    const created = await open();
    const intent = await t.stripe.paymentIntents.retrieve(created.id, {
      client_secret: created.client_secret!,
    });
    assert.deepEqual(intent.metadata, { secret: 'merchant-only' });
    const wrong = await stripeError(() =>
      t.stripe.paymentIntents.retrieve(created.id, { client_secret: 'pi_x_secret_y' }),
    );
    assert.equal(wrong.param, 'client_secret');
  });

  it('confirms with the client secret and answers the reduced intent', async () => {
    const created = await open();
    const intent = await pk.paymentIntents.confirm(created.id, {
      client_secret: created.client_secret!,
      payment_method: 'pm_card_visa',
    } as any);
    assert.equal(intent.status, 'succeeded');
    assert.equal('metadata' in intent, false);
    const full = await t.stripe.paymentIntents.retrieve(created.id);
    assert.equal(full.amount_received, 1800);
  });

  it('refuses a confirm without the client secret', async () => {
    const created = await open();
    const error = await stripeError(() =>
      pk.paymentIntents.confirm(created.id, { payment_method: 'pm_card_visa' }),
    );
    assert.equal(error.statusCode, 400);
    assert.equal(error.param, 'client_secret');
    const still = await t.stripe.paymentIntents.retrieve(created.id);
    assert.equal(still.status, 'requires_payment_method');
  });

  it('declines with the reduced intent in the 402 body', async () => {
    const created = await open();
    const error = await stripeError(() =>
      pk.paymentIntents.confirm(created.id, {
        client_secret: created.client_secret!,
        payment_method: 'pm_card_chargeDeclined',
      } as any),
    );
    assert.equal(error.statusCode, 402);
    const raw = rawError(error);
    assert.equal(raw.payment_intent.status, 'requires_payment_method');
    assert.equal('metadata' in raw.payment_intent, false);
  });

  it('reduces the intent carried by an unexpected-state error', async () => {
    const created = await open();
    const done = await t.stripe.paymentIntents.confirm(created.id, {
      payment_method: 'pm_card_visa',
    });
    const error = await stripeError(() =>
      pk.paymentIntents.confirm(done.id, { client_secret: created.client_secret! } as any),
    );
    assert.equal(error.code, 'payment_intent_unexpected_state');
    const intent = rawError(error).payment_intent;
    assert.equal(intent.id, created.id);
    assert.equal('metadata' in intent, false);
  });

  it('refuses to confirm a manually confirmed intent', async () => {
    const created = await t.stripe.paymentIntents.create({
      amount: 1800,
      currency: 'usd',
      confirmation_method: 'manual',
      payment_method: 'pm_card_visa',
    });
    const error = await stripeError(() =>
      pk.paymentIntents.confirm(created.id, { client_secret: created.client_secret! } as any),
    );
    assert.equal(error.statusCode, 400);
    const confirmed = await t.stripe.paymentIntents.confirm(created.id);
    assert.equal(confirmed.status, 'succeeded');
  });

  it('may not create, update, capture, cancel or list', async () => {
    const created = await open();
    const attempts = [
      () => pk.paymentIntents.create({ amount: 1000, currency: 'usd' }),
      () => pk.paymentIntents.update(created.id, { description: 'x' }),
      () => pk.paymentIntents.capture(created.id),
      () => pk.paymentIntents.cancel(created.id),
      () => pk.paymentIntents.list(),
      () => pk.charges.list(),
    ];
    for (const attempt of attempts) {
      const error = await stripeError(attempt);
      assert.equal(error.statusCode, 401);
      assert.equal(error.code, 'secret_key_required');
    }
  });
});
