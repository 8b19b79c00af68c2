import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../src/domain/ids.js';
import type { CallContext } from '../../src/services/context.js';
import { recordChargeCaptured, recordRefund, type ChargeRow } from '../../src/services/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The ledger service on its own, with charge and refund rows written straight to the real
 * database, so the recording rules are checked apart from the payment flows that call them.
 */
describe('ledger service', () => {
  let t: TestServer;
  let ctx: CallContext;
  before(async () => {
    t = await startTestServer();
    const account = await t.server.services.store.db
      .selectFrom('accounts')
      .select('id')
      .executeTakeFirstOrThrow();
    ctx = { accountId: account.id, requestId: 'req_test', now: Math.floor(Date.now() / 1000) };
  });
  after(() => t.close());

  async function captured(amount: number, currency: string, amountCaptured = amount) {
    const store = t.server.services.store;
    const charge = {
      id: newId('ch'),
      account_id: ctx.accountId,
      created: ctx.now,
      amount,
      amount_captured: amountCaptured,
      amount_refunded: 0,
      currency,
      status: 'succeeded',
      captured: 1,
      paid: 1,
      refunded: 0,
      customer_id: null,
      payment_intent_id: null,
      payment_method_id: 'pm_x',
      balance_transaction_id: null,
      failure_code: null,
      failure_message: null,
      outcome: '{}',
      description: null,
      metadata: '{}',
      billing_details: '{}',
      payment_method_details: '{}',
      version: 0,
    };
    await store.db.insertInto('charges').values(charge).execute();
    return store.db
      .selectFrom('charges')
      .selectAll()
      .where('id', '=', charge.id)
      .executeTakeFirstOrThrow() as Promise<ChargeRow>;
  }

  it('records a pending charge with fee and net, and an available refund', async () => {
    const store = t.server.services.store;
    const charge = await captured(2000, 'eur', 1500);
    const txnId = await store.transaction((tx) =>
      recordChargeCaptured(tx, ctx, charge, { bypassPending: false }),
    );
    assert.ok(txnId);
    const txn = await t.stripe.balanceTransactions.retrieve(txnId);
    assert.equal(txn.amount, 1500);
    assert.equal(txn.fee, 74); // 2.9% of 1500 = 43.5 → 44, plus 30
    assert.equal(txn.net, 1426);
    assert.equal(txn.status, 'pending');
    assert.equal(txn.type, 'charge');
    assert.equal(txn.reporting_category, 'charge');
    assert.equal(txn.source, charge.id);
    assert.equal(txn.available_on, ctx.now + 2 * 24 * 3600);
    assert.deepEqual(txn.fee_details, [
      {
        amount: 74,
        application: null,
        currency: 'eur',
        description: 'Stripe processing fees',
        type: 'stripe_fee',
      },
    ]);

    const refund = {
      id: newId('re'),
      account_id: ctx.accountId,
      created: ctx.now,
      amount: 500,
      currency: 'eur',
      charge_id: charge.id,
      payment_intent_id: null,
      reason: null,
      status: 'succeeded',
      failure_reason: null,
      balance_transaction_id: null,
      metadata: '{}',
    };
    await store.db.insertInto('refunds').values(refund).execute();
    const refundRow = await store.db
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', refund.id)
      .executeTakeFirstOrThrow();
    const refundTxnId = await store.transaction((tx) => recordRefund(tx, ctx, refundRow));
    const refundTxn = await t.stripe.balanceTransactions.retrieve(refundTxnId);
    assert.equal(refundTxn.amount, -500);
    assert.equal(refundTxn.fee, 0);
    assert.equal(refundTxn.net, -500);
    assert.equal(refundTxn.status, 'available');
    assert.equal(refundTxn.type, 'refund');

    const entries = await store.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('posting_id', 'in', [txnId, refundTxnId])
      .execute();
    assert.equal(
      entries.reduce((s, e) => s + Number(e.amount), 0),
      0,
    );
  });

  it('makes bypass-pending funds available at once; zero-decimal fees stay in yen', async () => {
    const charge = await captured(1000, 'jpy');
    const txnId = await t.server.services.store.transaction((tx) =>
      recordChargeCaptured(tx, ctx, charge, { bypassPending: true }),
    );
    const txn = await t.stripe.balanceTransactions.retrieve(txnId!);
    assert.equal(txn.fee, 29);
    assert.equal(txn.net, 971);
    assert.equal(txn.status, 'available');
    assert.equal(txn.available_on, ctx.now);
  });

  it("uses the account's own fee settings and payout delay", async () => {
    const db = t.server.services.store.db;
    const settings = { fee_rate_bps: 100, fee_fixed: 50, payout_delay_seconds: 60 };
    await db.updateTable('accounts').set(settings).where('id', '=', ctx.accountId).execute();
    try {
      const charge = await captured(1050, 'usd');
      const txnId = await t.server.services.store.transaction((tx) =>
        recordChargeCaptured(tx, ctx, charge, { bypassPending: false }),
      );
      const txn = await t.stripe.balanceTransactions.retrieve(txnId!);
      assert.equal(txn.fee, 61); // 1% of 1050 = 10.5 → 11, plus 50
      assert.equal(txn.available_on, ctx.now + 60);
    } finally {
      await db
        .updateTable('accounts')
        .set({ fee_rate_bps: 290, fee_fixed: 30, payout_delay_seconds: 2 * 24 * 3600 })
        .where('id', '=', ctx.accountId)
        .execute();
    }
  });

  it('refuses to record a charge that captured nothing, writing nothing', async () => {
    const charge = await captured(1000, 'usd', 0);
    await assert.rejects(
      t.server.services.store.transaction((tx) =>
        recordChargeCaptured(tx, ctx, charge, { bypassPending: false }),
      ),
      { name: 'AssertionError' },
    );
    const list = await t.stripe.balanceTransactions.list({ source: charge.id } as never);
    assert.equal(list.data.length, 0);
  });
});
