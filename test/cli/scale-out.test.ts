import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { NO_POSTGRES, postgresTestMode } from '../helpers/database.js';
import { startServerProcesses, type ServerProcessGroup } from '../helpers/processes.js';
import { startReceiver, type Receiver } from '../webhooks/receiver.js';

// Issue 5, "what it must show": two real `payrail start` processes on one PostgreSQL database
// (READ COMMITTED), requests racing across both. Every race must end with one effect and a
// Stripe-shaped refusal for the losers, never a 500. PostgreSQL only (see processes.test.ts).
const mode = postgresTestMode();
const skip = mode === 'skip' ? NO_POSTGRES : false;

type Settled<T> = PromiseSettledResult<T>;

/** The successes of `results`; every failure must be a StripeError with one of `allowed`. */
function successesOf<T>(results: Settled<T>[], allowed: Array<[number, string | undefined]>): T[] {
  for (const r of results) {
    if (r.status === 'fulfilled') continue;
    const error = r.reason as Stripe.errors.StripeError;
    assert.ok(error instanceof Stripe.errors.StripeError, String(r.reason));
    const seen = `${error.statusCode} ${error.code}`;
    assert.ok(
      allowed.some(([status, code]) => error.statusCode === status && error.code === code),
      `unexpected failure ${seen}: ${error.message}`,
    );
  }
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

const LOCK_TIMEOUT: [number, string | undefined] = [429, 'lock_timeout'];
const KEY_IN_USE: [number, string | undefined] = [409, 'idempotency_key_in_use'];

if (mode !== 'omit') {
  describe('two server processes racing on one PostgreSQL database', () => {
    let group: ServerProcessGroup;
    let receiver: Receiver;
    let endpointSecret: string;
    /** The process for the i-th of a burst of requests: they alternate. */
    const at = (i: number) => group.processes[i % 2];

    before(async () => {
      if (skip) return;
      receiver = await startReceiver();
      group = await startServerProcesses(2, { env: { PAYRAIL_WEBHOOK_POLL_MS: '20' } });
      // Registered first, so that every event of every test below is owed to it once.
      const endpoint = await at(0).stripe.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: ['*'],
      });
      endpointSecret = endpoint.secret!;
    });
    after(async () => {
      await group?.close();
      await receiver?.close();
    });

    it('charge once for 20 concurrent confirms of one intent', { skip }, async () => {
      const intent = await at(0).stripe.paymentIntents.create({
        amount: 1500,
        currency: 'usd',
        payment_method: 'pm_card_visa',
      });
      assert.equal(intent.status, 'requires_confirmation');

      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => at(i).stripe.paymentIntents.confirm(intent.id)),
      );
      const confirmed = successesOf(results, [
        [400, 'payment_intent_unexpected_state'],
        LOCK_TIMEOUT,
      ]);
      assert.equal(confirmed.length, 1, 'exactly one confirm succeeds');
      assert.equal(confirmed[0].status, 'succeeded');

      for (const server of group.processes) {
        const charges = await server.stripe.charges.list({ payment_intent: intent.id });
        assert.equal(charges.data.length, 1, 'exactly one charge');
        const after = await server.stripe.paymentIntents.retrieve(intent.id);
        assert.equal(after.amount_received, 1500);
        assert.equal(after.latest_charge, charges.data[0].id);
      }
    });

    it('create one object for one idempotency key sent to both at once', { skip }, async () => {
      const stamp = Date.now();
      const email = `scale-${stamp}@example.com`;
      const customerResults = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          at(i).stripe.customers.create({ email }, { idempotencyKey: `cus-${stamp}` }),
        ),
      );
      const customers = successesOf(customerResults, [KEY_IN_USE]);
      assert.ok(customers.length >= 1);
      assert.equal(new Set(customers.map((c) => c.id)).size, 1);
      const listed = await at(1).stripe.customers.list({ email });
      assert.deepEqual(
        listed.data.map((c) => c.id),
        [customers[0].id],
      );

      const marker = `pi-${stamp}`;
      const params: Stripe.PaymentIntentCreateParams = {
        amount: 2500,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
        metadata: { marker },
      };
      const intentResults = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          at(i).stripe.paymentIntents.create(params, { idempotencyKey: marker }),
        ),
      );
      const intents = successesOf(intentResults, [KEY_IN_USE]);
      assert.ok(intents.length >= 1);
      assert.equal(new Set(intents.map((pi) => pi.id)).size, 1);
      for (const pi of intents) assert.equal(pi.status, 'succeeded');
      const all = await at(0).stripe.paymentIntents.list({ limit: 100 });
      const marked = all.data.filter((pi) => pi.metadata.marker === marker);
      assert.deepEqual(
        marked.map((pi) => pi.id),
        [intents[0].id],
      );
      const charges = await at(1).stripe.charges.list({ payment_intent: intents[0].id });
      assert.equal(charges.data.length, 1);
    });

    /** `count` refunds of `amount` on one charge of 2000, alternating between the processes. */
    async function raceRefunds(count: number, amount: number) {
      const intent = await at(0).stripe.paymentIntents.create({
        amount: 2000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      const chargeId = intent.latest_charge as string;
      const refunds = Array.from({ length: count }, (_, i) =>
        at(i).stripe.refunds.create({ charge: chargeId, amount }),
      );
      // Balance reads racing the refunds must always see the ledger and the transactions agree.
      const balances = Array.from({ length: 8 }, (_, i) => at(i).stripe.balance.retrieve());
      const [refundResults, balanceResults] = await Promise.all([
        Promise.allSettled(refunds),
        Promise.allSettled(balances),
      ]);
      successesOf(balanceResults, []);
      const succeeded = successesOf(refundResults, [
        [400, 'charge_already_refunded'],
        // The amount exceeds what is left: invalid_request_error on `amount`, with no code.
        [400, undefined],
        LOCK_TIMEOUT,
      ]);
      const refunded = succeeded.reduce((sum, r) => sum + r.amount, 0);
      assert.ok(refunded <= 2000, `refunded ${refunded} of 2000`);
      // Refunds of one charge wait for each other, so none fails for want of a lock: as many
      // succeed as fit, as if they had come one at a time.
      const fits = Math.floor(2000 / amount) * amount;
      assert.equal(refunded, fits, `refunded ${refunded}, expected ${fits}`);

      for (const server of group.processes) {
        const charge = await server.stripe.charges.retrieve(chargeId);
        assert.equal(charge.amount_refunded, refunded);
        assert.equal(charge.refunded, refunded === 2000);
        const listed = await server.stripe.refunds.list({ charge: chargeId, limit: 100 });
        assert.equal(listed.data.length, succeeded.length);
      }

      const balance = await at(1).stripe.balance.retrieve();
      const usd = (funds: Stripe.Balance.Available[]) =>
        funds.filter((f) => f.currency === 'usd').reduce((sum, f) => sum + f.amount, 0);
      let nets = 0;
      for await (const txn of at(0).stripe.balanceTransactions.list({ limit: 100 })) {
        if (txn.currency === 'usd') nets += txn.net;
      }
      assert.equal(usd(balance.available) + usd(balance.pending), nets);
    }

    it('never refund more than the charge when refunds race on both', { skip }, async () => {
      await raceRefunds(12, 500);
    });

    it('refund as much as fits when 24 refunds of 150 race on 2000', { skip }, async () => {
      await raceRefunds(24, 150);
    });

    it('use a single-use payment method for one payment only', { skip }, async () => {
      const pm = await at(0).stripe.paymentMethods.create({
        type: 'card',
        card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' },
      });
      const intents = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          at(i).stripe.paymentIntents.create({ amount: 700 + i, currency: 'usd' }),
        ),
      );
      const results = await Promise.allSettled(
        intents.map((pi, i) =>
          at(i).stripe.paymentIntents.confirm(pi.id, { payment_method: pm.id }),
        ),
      );
      // Without a customer the method is used up by its first payment (Stripe refuses reuse).
      const confirmed = successesOf(results, [
        [400, 'payment_method_unexpected_state'],
        LOCK_TIMEOUT,
      ]);
      assert.equal(confirmed.length, 1, 'exactly one payment with the method');
      let charges = 0;
      for (const pi of intents) {
        const listed = await at(1).stripe.charges.list({ payment_intent: pi.id });
        charges += listed.data.filter((c) => c.status === 'succeeded').length;
      }
      assert.equal(charges, 1);
    });

    it('attach one payment method once when both attach it at once', { skip }, async () => {
      const customer = await at(0).stripe.customers.create({ email: 'attach@example.com' });
      const pm = await at(1).stripe.paymentMethods.create({
        type: 'card',
        card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' },
      });
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          at(i).stripe.paymentMethods.attach(pm.id, { customer: customer.id }),
        ),
      );
      // Attaching to the customer it is already attached to succeeds, as it does one at a time.
      const attached = successesOf(results, []);
      assert.ok(attached.every((a) => a.customer === customer.id));
      const events = await at(0).stripe.events.list({ type: 'payment_method.attached' });
      assert.equal(
        events.data.filter((e) => (e.data.object as { id: string }).id === pm.id).length,
        1,
      );
    });

    it('keep every key of 20 concurrent metadata updates', { skip }, async () => {
      const customer = await at(0).stripe.customers.create({ email: 'meta@example.com' });
      const intent = await at(1).stripe.paymentIntents.create({
        amount: 900,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      const refund = await at(0).stripe.refunds.create({ payment_intent: intent.id, amount: 100 });
      const open = await at(1).stripe.paymentIntents.create({ amount: 300, currency: 'usd' });
      const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
      // Each update merges its key into the metadata it read: a read-modify-write to serialise.
      const updates = keys.flatMap((k, i) => [
        at(i).stripe.customers.update(customer.id, { metadata: { [k]: 'v' } }),
        at(i + 1).stripe.refunds.update(refund.id, { metadata: { [k]: 'v' } }),
        at(i).stripe.paymentIntents.update(open.id, { metadata: { [k]: 'v' } }),
      ]);
      successesOf(await Promise.allSettled(updates), []);
      const after = await at(1).stripe.customers.retrieve(customer.id);
      assert.ok(!after.deleted);
      assert.deepEqual(Object.keys(after.metadata).sort(), [...keys].sort());
      const refunded = await at(0).stripe.refunds.retrieve(refund.id);
      assert.deepEqual(Object.keys(refunded.metadata ?? {}).sort(), [...keys].sort());
      const updated = await at(1).stripe.paymentIntents.retrieve(open.id);
      assert.deepEqual(Object.keys(updated.metadata).sort(), [...keys].sort());
    });

    it('send every webhook event once while both deliver', { skip }, async () => {
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          at(i).stripe.customers.create({ email: `hook${i}@example.com` }),
        ),
      );
      const eventIds: string[] = [];
      for await (const event of at(0).stripe.events.list({ limit: 100 })) eventIds.push(event.id);
      assert.ok(eventIds.length >= 30);
      const seen = (r: { rawBody: string }) => eventIds.includes(JSON.parse(r.rawBody).id);
      await receiver.waitFor(eventIds.length, seen, 30_000);
      // Time for a duplicate (a second process sending the same attempt) to arrive too.
      await new Promise((resolve) => setTimeout(resolve, 500));

      const byEvent = new Map<string, number>();
      const bySignature = new Map<string, number>();
      for (const r of receiver.received) {
        const signature = String(r.headers['stripe-signature']);
        const event = group.processes[0].stripe.webhooks.constructEvent(
          r.rawBody,
          signature,
          endpointSecret,
        );
        byEvent.set(event.id, (byEvent.get(event.id) ?? 0) + 1);
        bySignature.set(signature, (bySignature.get(signature) ?? 0) + 1);
      }
      const twice = [...byEvent].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], 'no event delivered twice');
      assert.ok(
        [...bySignature.values()].every((n) => n === 1),
        'no attempt sent twice',
      );
      assert.deepEqual([...byEvent.keys()].sort(), [...eventIds].sort());
    });
  });
}
