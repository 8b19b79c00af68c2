import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { all, balanceByCurrency, netsByStatus, pay } from './support.js';

describe('fees, balance transactions and balance', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  async function chargeTxn(pi: Stripe.PaymentIntent) {
    const charge = await t.stripe.charges.retrieve(String(pi.latest_charge));
    assert.ok(charge.balance_transaction, 'a captured charge has a balance transaction');
    return t.stripe.balanceTransactions.retrieve(String(charge.balance_transaction));
  }

  // [currency, amount, captured (manual capture when smaller), fee at 2.9% + 30 cents]
  const cases: Array<[string, number, number, number]> = [
    ['usd', 1000, 1000, 59],
    ['usd', 2000, 1550, 75], // partial capture: 44.95 → 45, + 30
    ['eur', 2050, 2050, 89], // 59.45 → 59, + 30
    ['jpy', 1000, 1000, 29], // 30 cents is 0 yen
    ['jpy', 5000, 3000, 87], // partial capture in yen
  ];
  for (const [currency, amount, captured, fee] of cases) {
    it(`takes a fee of ${fee} on ${captured} ${currency} captured of ${amount}`, async () => {
      let pi = await pay(t.stripe, { amount, currency, manual: captured !== amount });
      if (captured !== amount) {
        pi = await t.stripe.paymentIntents.capture(pi.id, { amount_to_capture: captured });
      }
      assert.equal(pi.amount_received, captured);
      const txn = await chargeTxn(pi);
      assert.equal(txn.type, 'charge');
      assert.equal(txn.reporting_category, 'charge');
      assert.equal(txn.source, pi.latest_charge);
      assert.equal(txn.currency, currency);
      assert.equal(txn.amount, captured);
      assert.equal(txn.fee, fee);
      assert.equal(txn.net, captured - fee);
      assert.deepEqual(txn.fee_details, [
        {
          amount: fee,
          application: null,
          currency,
          description: 'Stripe processing fees',
          type: 'stripe_fee',
        },
      ]);
      assert.equal(txn.status, 'pending');
      assert.ok(txn.available_on > txn.created);
    });
  }

  it('has no balance transaction for an authorisation until it is captured', async () => {
    const pi = await pay(t.stripe, { amount: 700, manual: true });
    const charge = await t.stripe.charges.retrieve(String(pi.latest_charge));
    assert.equal(charge.balance_transaction, null);
  });

  it('makes pm_card_bypassPending funds available at once', async () => {
    const pi = await pay(t.stripe, { amount: 1000, paymentMethod: 'pm_card_bypassPending' });
    const txn = await chargeTxn(pi);
    assert.equal(txn.status, 'available');
    assert.equal(txn.available_on, txn.created);
  });

  it('lists balance transactions with filters and cursors', async () => {
    const pi = await pay(t.stripe, { amount: 3000, currency: 'eur' });
    await t.stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    const refunds = await t.stripe.balanceTransactions.list({ type: 'refund' });
    assert.ok(refunds.data.length >= 1);
    assert.ok(refunds.data.every((txn) => txn.type === 'refund'));
    const bySource = await t.stripe.balanceTransactions.list({
      source: String(pi.latest_charge),
    } as never);
    assert.equal(bySource.data.length, 1);
    const eur = await all(t.stripe.balanceTransactions.list({ currency: 'EUR', limit: 2 }));
    assert.ok(eur.length >= 3 && eur.every((txn) => txn.currency === 'eur'));
    const created = refunds.data[0].created;
    const inRange = await t.stripe.balanceTransactions.list({ created: { gte: created } });
    assert.ok(inRange.data.every((txn) => txn.created >= created));
    assert.ok(inRange.data.some((txn) => txn.id === refunds.data[0].id));
    const later = await t.stripe.balanceTransactions.list({ created: { gt: created + 3600 } });
    assert.equal(later.data.length, 0);
    const first = await t.stripe.balanceTransactions.list({ limit: 1 });
    const next = await t.stripe.balanceTransactions.list({
      limit: 1,
      starting_after: first.data[0].id,
    });
    assert.notEqual(next.data[0].id, first.data[0].id);
    assert.ok(first.data[0].created >= next.data[0].created);
  });

  it('shows a balance equal to the nets of all balance transactions by status', async () => {
    const transactions = await all(t.stripe.balanceTransactions.list({ limit: 100 }));
    assert.ok(transactions.length > 0);
    const balance = await t.stripe.balance.retrieve();
    assert.deepEqual(balanceByCurrency(balance), netsByStatus(transactions));
    for (const funds of [...balance.available, ...balance.pending]) {
      assert.equal(funds.source_types?.card, funds.amount);
    }
  });
});
