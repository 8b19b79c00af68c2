// Fills a database with one customer holding many transactions, so history pages can be
// measured at depth. The customer and the newest payments are made by `payrail seed`'s code
// (real succeeded payment intents through the services); the older history rows are written
// straight into customer_transactions in batched inserts, with the same row shape: a million
// real payments would take about half an hour here and some 7 GB (each writes ~15 rows and
// three events), while the history query reads only this one table.
import { SimulatedProcessor } from '../src/processor/simulated.js';
import { seedAccount } from '../src/cli/seed.js';
import { newId } from '../src/domain/ids.js';
import { createAccount } from '../src/services/accounts.js';
import { systemClock } from '../src/services/context.js';
import { openStore } from '../src/store/store.js';

/** Payments made through the services; the rest of the history is bulk rows. */
const REAL_PAYMENTS = 200;

export async function seedHistory(
  databaseUrl: string,
  secretKey: string,
  size: number,
): Promise<{ customerId: string; deepCursorId: string }> {
  const store = openStore({ url: databaseUrl, durable: false });
  await store.migrate();
  const now = Math.floor(Date.now() / 1000);
  const account = await createAccount(store, now, { secretKey });
  const services = {
    store,
    clock: systemClock,
    processor: new SimulatedProcessor(),
    fingerprintKey: 'bench',
    publicUrl: '',
  };
  const real = Math.min(REAL_PAYMENTS, size);
  const [customerId] = await seedAccount(services, {
    accountId: account.id,
    customers: 1,
    payments: real,
  });
  size -= real;
  const batchSize = 1000;
  let deepCursorId = '';
  for (let start = 0; start < size; start += batchSize) {
    const rows = Array.from({ length: Math.min(batchSize, size - start) }, (_, i) => {
      const index = start + i;
      const refund = index % 10 === 9;
      return {
        id: newId('ctxn'),
        account_id: account.id,
        customer_id: customerId,
        created: now - size + index,
        type: refund ? 'refund' : 'payment',
        amount: refund ? -500 : 2000,
        currency: 'usd',
        status: 'succeeded',
        source_id: refund ? newId('re') : newId('ch'),
      };
    });
    // The deep cursor sits a tenth of the way from the oldest end: 90% of the list lies before it.
    if (start <= size / 10 && size / 10 < start + batchSize)
      deepCursorId = rows[Math.floor(size / 10) - start].id;
    await store.transaction((tx) => tx.insertInto('customer_transactions').values(rows).execute());
  }
  await store.close();
  return { customerId, deepCursorId };
}
