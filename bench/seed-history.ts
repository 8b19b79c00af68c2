// Fills a database with one customer holding many transactions, through the store layer in
// batched inserts, so history pages can be measured at depth.
import { newId } from '../src/domain/ids.js';
import { createAccount } from '../src/services/accounts.js';
import { openStore } from '../src/store/store.js';

export async function seedHistory(
  databaseUrl: string,
  secretKey: string,
  size: number,
): Promise<{ customerId: string; deepCursorId: string }> {
  const store = openStore({ url: databaseUrl, durable: false });
  await store.migrate();
  const now = Math.floor(Date.now() / 1000);
  const account = await createAccount(store, now, { secretKey });
  const customerId = newId('cus');
  await store.db
    .insertInto('customers')
    .values({
      id: customerId, account_id: account.id, created: now, email: 'history@example.com', name: null,
      phone: null, description: null, address: null, shipping: null, metadata: '{}', balance: 0,
      currency: null, invoice_prefix: 'BENCH', default_payment_method: null, preferred_locales: '[]',
      tax_exempt: 'none', deleted: 0,
    })
    .execute();
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
    if (start <= size / 10 && size / 10 < start + batchSize) deepCursorId = rows[Math.floor(size / 10) - start].id;
    await store.transaction((tx) => tx.insertInto('customer_transactions').values(rows).execute());
  }
  await store.close();
  return { customerId, deepCursorId };
}
