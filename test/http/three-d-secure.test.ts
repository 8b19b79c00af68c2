import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { chargeCount, eventTypesFor } from '../helpers/payments.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The forms of the 3-D Secure page: action name → {url, fields}. */
function formsOf(html: string, base: string) {
  const forms = new Map<string, { url: string; fields: Record<string, string> }>();
  for (const match of html.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)) {
    const fields: Record<string, string> = {};
    for (const input of match[2].matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
    )) {
      fields[input[1]] = input[2].replace(/&amp;/g, '&');
    }
    forms.set(fields.action, { url: new URL(match[1], base).toString(), fields });
  }
  return forms;
}

describe('3-D Secure', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const requireAction = (params: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
    t.stripe.paymentIntents.create({
      amount: 4200,
      currency: 'usd',
      payment_method: 'pm_card_threeDSecure2Required',
      confirm: true,
      ...params,
    });

  function pageUrl(intent: Stripe.PaymentIntent): string {
    const action = intent.next_action as any;
    return action.redirect_to_url?.url ?? action.use_stripe_sdk.stripe_js;
  }

  /** Opens the page as a browser would (no API key) and submits one of its buttons. */
  async function answer(intent: Stripe.PaymentIntent, action: 'complete' | 'fail') {
    const page = await fetch(pageUrl(intent));
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    assert.match(html, /Complete authentication/);
    assert.match(html, /Fail authentication/);
    const form = formsOf(html, t.url).get(action)!;
    return fetch(form.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form.fields).toString(),
      redirect: 'manual',
    });
  }

  it('redirects to the page with return_url, and completing it succeeds', async () => {
    const intent = await requireAction({ return_url: 'https://shop.example/back?order=9' });
    assert.equal(intent.status, 'requires_action');
    const next = intent.next_action as any;
    assert.equal(next.type, 'redirect_to_url');
    assert.equal(next.redirect_to_url.return_url, 'https://shop.example/back?order=9');
    assert.ok(next.redirect_to_url.url.startsWith(`${t.url}/v1/3ds/${intent.id}?client_secret=`));

    const response = await answer(intent, 'complete');
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location')!);
    assert.equal(location.origin + location.pathname, 'https://shop.example/back');
    assert.equal(location.searchParams.get('order'), '9');
    assert.equal(location.searchParams.get('payment_intent'), intent.id);
    assert.equal(location.searchParams.get('payment_intent_client_secret'), intent.client_secret);

    const done = await t.stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    assert.equal(done.status, 'succeeded');
    assert.equal(done.next_action, null);
    const charge = done.latest_charge as any;
    assert.equal(charge.payment_method_details.card.three_d_secure.result, 'authenticated');
    assert.deepEqual(await eventTypesFor(t, intent.id), [
      'payment_intent.created',
      'payment_intent.requires_action',
      'charge.succeeded',
      'payment_intent.succeeded',
    ]);
  });

  it('without return_url uses use_stripe_sdk and shows a done page', async () => {
    const intent = await requireAction();
    assert.equal(intent.next_action?.type, 'use_stripe_sdk');
    const response = await answer(intent, 'complete');
    assert.equal(response.status, 200);
    assert.match(await response.text(), /succeeded/);
    assert.equal((await t.stripe.paymentIntents.retrieve(intent.id)).status, 'succeeded');
  });

  it('failing it returns the intent to requires_payment_method', async () => {
    const intent = await requireAction({ return_url: 'https://shop.example/back' });
    const response = await answer(intent, 'fail');
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location')!);
    assert.equal(location.searchParams.get('redirect_status'), 'failed');
    const failed = await t.stripe.paymentIntents.retrieve(intent.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'payment_intent_authentication_failure');
    assert.equal(failed.payment_method, null);
    assert.equal(await chargeCount(t, intent.id), 0);
    const retried = await t.stripe.paymentIntents.confirm(intent.id, {
      payment_method: 'pm_card_visa',
    });
    assert.equal(retried.status, 'succeeded');
  });

  it('holds the money for manual capture once authenticated', async () => {
    const intent = await requireAction({ capture_method: 'manual' });
    await answer(intent, 'complete');
    const held = await t.stripe.paymentIntents.retrieve(intent.id);
    assert.equal(held.status, 'requires_capture');
    assert.equal(held.amount_capturable, 4200);
  });

  it('with manual confirmation returns to requires_confirmation, then confirms', async () => {
    const intent = await requireAction({ confirmation_method: 'manual' });
    await answer(intent, 'complete');
    const waiting = await t.stripe.paymentIntents.retrieve(intent.id);
    assert.equal(waiting.status, 'requires_confirmation');
    assert.equal(await chargeCount(t, intent.id), 0);
    const confirmed = await t.stripe.paymentIntents.confirm(intent.id);
    assert.equal(confirmed.status, 'succeeded');
  });

  const THEN_DECLINE: Array<[string, string]> = [
    ['pm_card_threeDSecureRequiredChargeDeclined', 'generic_decline'],
    ['pm_card_authenticationRequiredChargeDeclinedInsufficientFunds', 'insufficient_funds'],
  ];
  for (const [card, declineCode] of THEN_DECLINE) {
    it(`${card} declines after authentication`, async () => {
      const intent = await requireAction({ payment_method: card });
      const response = await answer(intent, 'complete');
      assert.equal(response.status, 200);
      const declined = await t.stripe.paymentIntents.retrieve(intent.id);
      assert.equal(declined.status, 'requires_payment_method');
      assert.equal(declined.last_payment_error?.code, 'card_declined');
      assert.equal(declined.last_payment_error?.decline_code, declineCode);
      const charge = await t.stripe.charges.retrieve(declined.latest_charge as string);
      assert.equal(charge.status, 'failed');
    });
  }

  it('a second submit of the page changes nothing', async () => {
    const intent = await requireAction();
    const page = await (await fetch(pageUrl(intent))).text();
    const form = formsOf(page, t.url).get('complete')!;
    const post = () =>
      fetch(form.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form.fields).toString(),
        redirect: 'manual',
      });
    const [first, second] = await Promise.all([post(), post()]);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(await chargeCount(t, intent.id), 1);
  });

  it('refuses the page without the right client secret', async () => {
    const intent = await requireAction();
    const wrong = await fetch(`${t.url}/v1/3ds/${intent.id}?client_secret=${intent.id}_secret_x`);
    assert.equal(wrong.status, 404);
    const missing = await fetch(`${t.url}/v1/3ds/${intent.id}`);
    assert.equal(missing.status, 400);
    const post = await fetch(`${t.url}/v1/3ds/${intent.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_secret: 'nope', action: 'complete' }).toString(),
    });
    assert.equal(post.status, 404);
    assert.equal((await t.stripe.paymentIntents.retrieve(intent.id)).status, 'requires_action');
  });

  it('a card authenticated with setup_future_usage is saved and then pays off-session', async () => {
    const customer = await t.stripe.customers.create({});
    const offSession = (paymentMethod: string) =>
      t.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        customer: customer.id,
        payment_method: paymentMethod,
        confirm: true,
        off_session: true,
      });
    const refused = await offSession('pm_card_authenticationRequiredOnSetup').catch((e) => e);
    assert.equal(refused.code, 'authentication_required');

    const intent = await requireAction({
      customer: customer.id,
      payment_method: 'pm_card_authenticationRequiredOnSetup',
      setup_future_usage: 'off_session',
    });
    await answer(intent, 'complete');
    const saved = await t.stripe.paymentMethods.retrieve(intent.payment_method as string);
    assert.equal(saved.customer, customer.id);
    const later = await offSession(saved.id);
    assert.equal(later.status, 'succeeded');
  });

  it('a confirm with another card replaces the pending authentication', async () => {
    const intent = await requireAction();
    const confirmed = await t.stripe.paymentIntents.confirm(intent.id, {
      payment_method: 'pm_card_visa',
    });
    assert.equal(confirmed.status, 'succeeded');
    const page = await fetch(pageUrl(intent));
    assert.match(await page.text(), /succeeded/);
  });
});
