import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { generateApiKey } from '../../src/domain/api-keys.js';
import { openStore } from '../../src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { all, balanceByCurrency, netsByStatus } from '../money/support.js';

const run = promisify(execFile);
const CUSTOMERS = 3;
const PAYMENTS = 7;

/** Sum of ledger entries per (currency), straight from the database. */
async function ledgerSums(databaseUrl: string): Promise<number[]> {
  const store = openStore({ url: databaseUrl });
  try {
    const rows = await store.db
      .selectFrom('ledger_entries')
      .select((eb) => ['currency', eb.fn.sum<number>('amount').as('total')])
      .groupBy('currency')
      .execute();
    return rows.map((row) => Number(row.total));
  } finally {
    await store.close();
  }
}

describe('payrail seed', () => {
  let database: TestDatabase;
  let server: TestServer;
  let stderr: string;
  const secretKey = generateApiKey('secret');

  before(async () => {
    database = await createTestDatabase();
    const result = await run(
      process.execPath,
      [
        'dist/payrail.mjs',
        'seed',
        '--database',
        database.url,
        '--customers',
        String(CUSTOMERS),
        '--payments',
        String(PAYMENTS),
      ],
      { env: { ...process.env, PAYRAIL_SECRET_KEY: secretKey, PAYRAIL_LOG_LEVEL: 'warn' } },
    );
    stderr = result.stderr;
    server = await startTestServer({ databaseUrl: database.url, secretKey, keepDatabase: true });
  });
  after(async () => {
    await server?.close();
    await database?.drop();
  });

  it('creates the customers and succeeded payments into the key’s account', async () => {
    const customers = await all(server.stripe.customers.list({ limit: 100 }));
    assert.equal(customers.length, CUSTOMERS);
    const intents = await all(server.stripe.paymentIntents.list({ limit: 100 }));
    assert.equal(intents.length, PAYMENTS);
    assert.ok(intents.every((intent) => intent.status === 'succeeded'));
    const charges = await all(server.stripe.charges.list({ limit: 100 }));
    assert.equal(charges.length, PAYMENTS);
    assert.ok(charges.every((charge) => charge.paid && charge.balance_transaction));
  });

  it('writes each customer’s history rows', async () => {
    let rows = 0;
    for (const customer of await all(server.stripe.customers.list({ limit: 100 }))) {
      const response = await server.fetch(`/v1/customers/${customer.id}/transactions?limit=100`);
      const page = (await response.json()) as { data: { type: string; status: string }[] };
      assert.ok(page.data.length > 0);
      assert.ok(page.data.every((row) => row.type === 'payment' && row.status === 'succeeded'));
      rows += page.data.length;
    }
    assert.equal(rows, PAYMENTS);
  });

  it('keeps the balance equal to the sum of balance transactions', async () => {
    const transactions = await all(server.stripe.balanceTransactions.list({ limit: 100 }));
    assert.equal(transactions.length, PAYMENTS);
    const balance = await server.stripe.balance.retrieve();
    assert.deepEqual(balanceByCurrency(balance), netsByStatus(transactions));
    for (const total of await ledgerSums(database.url)) assert.equal(total, 0);
  });

  it('reports progress with a rate on stderr', () => {
    assert.match(stderr, /payments +\[#+\] 7\/7 [\d,]+\/s/);
    assert.match(stderr, /customers +\[#+\] 3\/3 [\d,]+\/s/);
  });
});
