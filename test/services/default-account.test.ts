import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateApiKey } from '../../src/domain/api-keys.js';
import { authenticateKey, ensureDefaultAccount } from '../../src/services/accounts.js';
import type { Store } from '../../src/store/store.js';
import { openStore } from '../../src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const now = Math.floor(Date.now() / 1000);

describe('the default account at start-up', () => {
  let database: TestDatabase;
  let store: Store;
  before(async () => {
    database = await createTestDatabase();
    store = openStore({ url: database.url, durable: false });
    await store.migrate();
  });
  after(async () => {
    await store.close();
    await database.drop();
  });

  const accountCount = async () =>
    (await store.db.selectFrom('accounts').select('id').execute()).length;

  it('is made with random keys once, then pinned keys are added to it, not to a new account', async () => {
    const first = await ensureDefaultAccount(store, now, {});
    assert.ok(first?.created);
    assert.equal(await ensureDefaultAccount(store, now, {}), undefined);

    const pinned = {
      secretKey: generateApiKey('secret'),
      publishableKey: generateApiKey('publishable'),
    };
    assert.equal(await ensureDefaultAccount(store, now, pinned), undefined);
    assert.equal(await ensureDefaultAccount(store, now, pinned), undefined);
    assert.equal(await accountCount(), 1);
    for (const key of [pinned.secretKey, pinned.publishableKey, first!.account.secret_key]) {
      assert.equal((await authenticateKey(store, key, now))?.accountId, first!.account.id);
    }
  });

  it('refuses pinned keys that no request could use', async () => {
    for (const secretKey of ['hello', 'sk_test_', 'sk_live_abcdefgh', 'sk_test_a b c d e']) {
      await assert.rejects(ensureDefaultAccount(store, now, { secretKey }), /PAYRAIL_SECRET_KEY/);
    }
    await assert.rejects(
      ensureDefaultAccount(store, now, { publishableKey: 'sk_test_abcdefgh' }),
      /PAYRAIL_PUBLISHABLE_KEY/,
    );
    assert.equal(await accountCount(), 1);
  });
});
