import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import Stripe from 'stripe';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { all, balanceByCurrency, netsByStatus, pay } from './support.js';

/**
 * Random sequences of payments, captures, refunds and cancellations against a real server and
 * database; after each sequence the money invariants of ARCHITECTURE.md must hold.
 */
const PAYMENT_METHODS = ['pm_card_visa', 'pm_card_bypassPending', 'pm_card_chargeDeclined'];
const CURRENCIES = ['usd', 'eur', 'jpy'];

type Step =
  | { kind: 'pay'; pm: number; amount: number; currency: number; manual: boolean }
  | { kind: 'capture'; which: number; percent: number }
  | { kind: 'refund'; which: number; percent: number; whole: boolean; byIntent: boolean }
  | { kind: 'cancel'; which: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('pay' as const),
    pm: fc.nat(PAYMENT_METHODS.length - 1),
    amount: fc.integer({ min: 50, max: 20_000 }),
    currency: fc.nat(CURRENCIES.length - 1),
    manual: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('capture' as const),
    which: fc.nat(),
    percent: fc.integer({ min: 1, max: 100 }),
  }),
  fc.record({
    kind: fc.constant('refund' as const),
    which: fc.nat(),
    percent: fc.integer({ min: 1, max: 130 }),
    whole: fc.boolean(),
    byIntent: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('cancel' as const), which: fc.nat() }),
);

/** A sequence that always runs first, so every kind of step is exercised at least once. */
const EVERY_KIND: Step[] = [
  { kind: 'pay', pm: 0, amount: 5000, currency: 0, manual: false },
  { kind: 'refund', which: 0, percent: 30, whole: false, byIntent: true },
  { kind: 'pay', pm: 1, amount: 4000, currency: 2, manual: true },
  { kind: 'capture', which: 1, percent: 60 },
  { kind: 'refund', which: 1, percent: 0, whole: true, byIntent: false },
  { kind: 'pay', pm: 0, amount: 900, currency: 1, manual: true },
  { kind: 'cancel', which: 2 },
  { kind: 'pay', pm: 2, amount: 700, currency: 0, manual: false },
  { kind: 'pay', pm: 0, amount: 800, currency: 1, manual: true },
  { kind: 'refund', which: 3, percent: 100, whole: true, byIntent: false },
];

/** Expected refusals (4xx) are part of the game; anything else fails the property. */
async function tolerate(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError && (error.statusCode ?? 500) < 500) return;
    throw error;
  }
}

describe('money invariants under random operations', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  async function run(steps: Step[]): Promise<void> {
    const intents: string[] = [];
    const pick = (which: number) => (intents.length ? intents[which % intents.length] : undefined);
    for (const s of steps) {
      if (s.kind === 'pay') {
        await tolerate(async () => {
          const pi = await pay(t.stripe, {
            amount: s.amount,
            currency: CURRENCIES[s.currency],
            paymentMethod: PAYMENT_METHODS[s.pm],
            manual: s.manual,
          });
          intents.push(pi.id);
        });
        continue;
      }
      const id = pick(s.which);
      if (!id) continue;
      if (s.kind === 'cancel') await tolerate(() => t.stripe.paymentIntents.cancel(id));
      if (s.kind === 'capture') {
        const pi = await t.stripe.paymentIntents.retrieve(id);
        const amount = Math.max(1, Math.floor((pi.amount * s.percent) / 100));
        await tolerate(() => t.stripe.paymentIntents.capture(id, { amount_to_capture: amount }));
      }
      if (s.kind === 'refund') {
        const pi = await t.stripe.paymentIntents.retrieve(id);
        const amount = s.whole ? undefined : Math.max(1, Math.floor((pi.amount * s.percent) / 100));
        const target = s.byIntent ? { payment_intent: id } : { charge: String(pi.latest_charge) };
        await tolerate(() => t.stripe.refunds.create({ ...target, amount }));
      }
    }
    await checkInvariants();
  }

  async function checkInvariants(): Promise<void> {
    const db = t.server.services.store.db;

    // 1. Each posting, hence every account and currency, sums to zero.
    const sums = await db
      .selectFrom('ledger_entries')
      .select((eb) => ['account_id', 'currency', eb.fn.sum<number>('amount').as('total')])
      .groupBy(['account_id', 'currency'])
      .execute();
    for (const row of sums) assert.equal(Number(row.total), 0, `ledger ${row.currency}`);
    // Each ledger account agrees with the balance transactions it mirrors.
    const byLedgerAccount = await db
      .selectFrom('ledger_entries')
      .select((eb) => ['currency', 'ledger_account', eb.fn.sum<number>('amount').as('total')])
      .groupBy(['currency', 'ledger_account'])
      .execute();
    const txnSums = await db
      .selectFrom('balance_transactions')
      .select((eb) => [
        'currency',
        eb.fn.sum<number>('amount').as('amount'),
        eb.fn.sum<number>('fee').as('fee'),
        eb.fn.sum<number>('net').as('net'),
      ])
      .groupBy('currency')
      .execute();
    for (const txn of txnSums) {
      const ledger = (account: string) =>
        Number(
          byLedgerAccount.find((l) => l.currency === txn.currency && l.ledger_account === account)
            ?.total ?? 0,
        );
      assert.equal(ledger('merchant_balance'), Number(txn.net), `${txn.currency} merchant`);
      assert.equal(ledger('processing_fees'), Number(txn.fee), `${txn.currency} fees`);
      assert.equal(ledger('payer_funds'), 0 - Number(txn.amount), `${txn.currency} payer funds`);
    }

    // 2. The balance is the nets of the balance transactions, split by status.
    const transactions = await all(t.stripe.balanceTransactions.list({ limit: 100 }));
    const balance = await t.stripe.balance.retrieve();
    assert.deepEqual(balanceByCurrency(balance), netsByStatus(transactions));

    // 3. Refunds stay within what was captured and match the refunds written.
    const charges = await db.selectFrom('charges').selectAll().execute();
    const refunds = await db.selectFrom('refunds').selectAll().execute();
    for (const charge of charges) {
      const refunded = refunds
        .filter((r) => r.charge_id === charge.id)
        .reduce((s, r) => s + Number(r.amount), 0);
      if (charge.captured) {
        assert.ok(charge.amount_refunded <= charge.amount_captured, `${charge.id} over-refunded`);
        assert.equal(Number(charge.amount_refunded), refunded, `${charge.id} refunds`);
        assert.equal(Boolean(charge.refunded), charge.amount_refunded === charge.amount_captured);
        assert.ok(charge.balance_transaction_id, `${charge.id} captured without a transaction`);
      } else {
        // A released authorisation reads as refunded in full but captured and moved nothing.
        assert.equal(Number(charge.amount_captured), 0);
        assert.equal(charge.balance_transaction_id, null);
        if (charge.refunded) assert.equal(Number(charge.amount_refunded), Number(charge.amount));
        else assert.equal(Number(charge.amount_refunded), 0);
      }
    }

    // 4. An intent received exactly what its succeeded charges captured.
    const intents = await db.selectFrom('payment_intents').selectAll().execute();
    for (const intent of intents) {
      const captured = charges
        .filter((c) => c.payment_intent_id === intent.id && c.status === 'succeeded')
        .reduce((s, c) => s + Number(c.amount_captured), 0);
      assert.equal(Number(intent.amount_received), captured, `${intent.id} amount_received`);
    }
  }

  it('keeps the ledger, the balance, refunds and received amounts consistent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => run(steps)),
      { numRuns: 15, examples: [[EVERY_KIND]] },
    );
    // The sequences (EVERY_KIND at least) must have moved money, not only collected refusals.
    const db = t.server.services.store.db;
    const kinds = await db.selectFrom('balance_transactions').select('type').distinct().execute();
    assert.deepEqual(kinds.map((k) => k.type).sort(), ['charge', 'refund']);
  });
});
