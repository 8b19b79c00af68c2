import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { stripeError } from '../money/support.js';

describe('balance', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it('shows zero in usd before any money moved', async () => {
    const balance = await t.stripe.balance.retrieve();
    assert.equal(balance.object, 'balance');
    assert.equal(balance.livemode, false);
    assert.deepEqual(balance.available, [
      { amount: 0, currency: 'usd', source_types: { card: 0 } },
    ]);
    assert.deepEqual(balance.pending, [{ amount: 0, currency: 'usd', source_types: { card: 0 } }]);
  });

  it('answers 404 resource_missing for an unknown balance transaction', async () => {
    const error = await stripeError(() => t.stripe.balanceTransactions.retrieve('txn_nope'));
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, 'resource_missing');
    assert.equal(error.param, 'id');
  });

  it('lists balance transactions and refuses bad filters naming them', async () => {
    const list = await t.stripe.balanceTransactions.list();
    assert.equal(list.object, 'list');
    assert.equal(list.url, '/v1/balance_transactions');
    const currency = await stripeError(() =>
      t.stripe.balanceTransactions.list({ currency: 'zzz' }),
    );
    assert.equal(currency.param, 'currency');
    const unknown = await stripeError(() =>
      t.stripe.balanceTransactions.list({ colour: 'red' } as never),
    );
    assert.equal(unknown.param, 'colour');
  });
});
