import assert from 'node:assert/strict';
import { after, before, describe, it as test } from 'node:test';
import { newId } from '../../src/domain/ids.js';
import type { ApiError } from '../../src/domain/errors.js';
import {
  findCustomerByAccountAndId,
  insertCustomer,
  listCustomersByAccount,
} from '../../src/store/repositories/customers.js';
import {
  forUpdate,
  isUniqueViolation,
  openStore,
  withSavepoint,
  type Store,
} from '../../src/store/store.js';
import {
  createTestDatabase,
  NO_POSTGRES,
  postgresTestMode,
  testDatabaseKind,
  type TestDatabase,
  type TestDatabaseKind,
} from '../helpers/database.js';
import { ACCOUNT, customerRow, paymentIntentRow, thrown } from '../helpers/store-rows.js';

/**
 * The store's contract: what every repository and service may rely on, checked the same way on
 * SQLite and PostgreSQL. PostgreSQL-only behaviour (several connections) is in postgres.test.ts.
 */
function contract(kind: TestDatabaseKind, skip: string | false): void {
  const it = (name: string, fn: () => Promise<void>) => test(name, { skip }, fn);
  let database: TestDatabase;
  let store: Store;
  before(async () => {
    if (skip) return;
    database = await createTestDatabase(kind);
    store = openStore({ url: database.url, durable: false });
    await store.migrate();
  });
  after(async () => {
    if (skip) return;
    await store.close();
    await database.drop();
  });

  it('migrates idempotently, again and from a second store', async () => {
    await store.migrate();
    const second = openStore({ url: database.url, durable: false });
    try {
      await second.migrate();
    } finally {
      await second.close();
    }
    const tables = await store.db.introspection.getTables();
    assert.ok(tables.some((t) => t.name === 'customers'));
  });

  it('inserts and finds a row, reading numbers as numbers', async () => {
    const inserted = await insertCustomer(store.db, customerRow(newId('cus'), 1_700_000_001));
    assert.equal(typeof inserted.seq, 'number');
    const found = await findCustomerByAccountAndId(store.db, ACCOUNT, inserted.id);
    assert.deepEqual(found, inserted);
    assert.equal(typeof found!.created, 'number');
    assert.equal(found!.deleted, 0);
    assert.equal(await findCustomerByAccountAndId(store.db, 'acct_other', inserted.id), undefined);
    const { n } = await store.db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', '=', inserted.id)
      .executeTakeFirstOrThrow();
    assert.equal(n, 1);
  });

  it('paginates newest first with cursors both ways, ties broken by insertion', async () => {
    const accountId = newId('acct');
    // Seven rows over three timestamps, so that cursors must compare (created, seq).
    const ids: string[] = [];
    for (const created of [100, 100, 100, 200, 200, 300, 300]) {
      const id = newId('cus');
      await insertCustomer(store.db, customerRow(id, created, accountId));
      ids.push(id);
    }
    const newestFirst = [...ids].reverse();

    const seen: string[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await listCustomersByAccount(
        store.db,
        accountId,
        {},
        { limit: 3, startingAfter },
      );
      seen.push(...page.rows.map((r) => r.id));
      if (!page.hasMore) break;
      startingAfter = page.rows.at(-1)!.id;
    }
    assert.deepEqual(seen, newestFirst);

    const before = await listCustomersByAccount(
      store.db,
      accountId,
      {},
      { limit: 2, endingBefore: newestFirst[4] },
    );
    assert.deepEqual(
      before.rows.map((r) => r.id),
      newestFirst.slice(2, 4),
    );
    assert.equal(before.hasMore, true);
    const first = await listCustomersByAccount(
      store.db,
      accountId,
      {},
      { limit: 5, endingBefore: newestFirst[2] },
    );
    assert.deepEqual(
      first.rows.map((r) => r.id),
      newestFirst.slice(0, 2),
    );
    assert.equal(first.hasMore, false);
  });

  it('refuses a cursor of another account with resource_missing on its parameter', async () => {
    const other = await insertCustomer(store.db, customerRow(newId('cus'), 5, 'acct_elsewhere'));
    const error = (await thrown(() =>
      listCustomersByAccount(store.db, ACCOUNT, {}, { limit: 3, endingBefore: other.id }),
    )) as ApiError;
    assert.equal(error.code, 'resource_missing');
    assert.equal(error.param, 'ending_before');
  });

  it('detects unique violations on unique columns and primary keys', async () => {
    const row = customerRow(newId('cus'), 1_700_000_002);
    await insertCustomer(store.db, row);
    const duplicateId = await thrown(() => insertCustomer(store.db, row));
    assert.ok(isUniqueViolation(duplicateId), String(duplicateId));

    const key = {
      account_id: ACCOUNT,
      key: newId('req'),
      fingerprint: 'f',
      method: 'POST',
      path: '/v1/customers',
      status: 'started' as const,
      response_status: null,
      response_body: null,
      request_id: 'req_1',
      created: 1,
      locked_at: 1,
    };
    await store.db.insertInto('idempotency_keys').values(key).execute();
    const duplicateKey = await thrown(() =>
      store.db.insertInto('idempotency_keys').values(key).execute(),
    );
    assert.ok(isUniqueViolation(duplicateKey), String(duplicateKey));
    assert.equal(isUniqueViolation(new Error('other')), false);
  });

  it('rolls a failed transaction back completely', async () => {
    const first = newId('cus');
    const second = newId('cus');
    const error = await thrown(() =>
      store.transaction(async (tx) => {
        await insertCustomer(tx, customerRow(first, 1));
        await insertCustomer(tx, customerRow(second, 1));
        throw new Error('boom');
      }),
    );
    assert.equal((error as Error).message, 'boom');
    assert.equal(await findCustomerByAccountAndId(store.db, ACCOUNT, first), undefined);
    assert.equal(await findCustomerByAccountAndId(store.db, ACCOUNT, second), undefined);
  });

  it('keeps a transaction usable after a failure inside a savepoint', async () => {
    const kept = customerRow(newId('cus'), 1);
    const later = customerRow(newId('cus'), 1);
    await store.transaction(async (tx) => {
      await insertCustomer(tx, kept);
      const error = await thrown(() => withSavepoint(tx, () => insertCustomer(tx, kept)));
      assert.ok(isUniqueViolation(error), String(error));
      await insertCustomer(tx, later);
    });
    assert.ok(await findCustomerByAccountAndId(store.db, ACCOUNT, kept.id));
    assert.ok(await findCustomerByAccountAndId(store.db, ACCOUNT, later.id));
  });

  it('loses no update when 10 writers read-modify-write a row under forUpdate', async () => {
    const id = newId('cus');
    await insertCustomer(store.db, customerRow(id, 1));
    const writers = Array.from({ length: 10 }, () =>
      store.transaction(async (tx) => {
        const query = tx.selectFrom('customers').select('balance').where('id', '=', id);
        const { balance } = await forUpdate(tx, query).executeTakeFirstOrThrow();
        await tx
          .updateTable('customers')
          .set({ balance: balance + 1 })
          .where('id', '=', id)
          .execute();
      }),
    );
    await Promise.all(writers);
    const row = await findCustomerByAccountAndId(store.db, ACCOUNT, id);
    assert.equal(row!.balance, 10);
  });

  it('lets exactly one of 20 concurrent compare-and-set writers win', async () => {
    const id = newId('pi');
    await store.db.insertInto('payment_intents').values(paymentIntentRow(id)).execute();

    const writers = Array.from({ length: 20 }, (_, i) =>
      store.transaction(async (tx) => {
        const current = await tx
          .selectFrom('payment_intents')
          .select(['version', 'status'])
          .where('account_id', '=', ACCOUNT)
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        if (current.status !== 'requires_confirmation') return false;
        // Every writer saw version 0 or loses here: the update re-checks it under the row lock.
        const result = await tx
          .updateTable('payment_intents')
          .set({ status: `succeeded_${i}`, version: 1 })
          .where('account_id', '=', ACCOUNT)
          .where('id', '=', id)
          .where('version', '=', 0)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      }),
    );
    const won = (await Promise.all(writers)).filter(Boolean);
    assert.equal(won.length, 1);
    const row = await store.db
      .selectFrom('payment_intents')
      .select(['version', 'status'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.version, 1);
    assert.match(row.status, /^succeeded_\d+$/);
  });
}

describe('store contract', () => {
  const kind = testDatabaseKind();
  describe(kind, () => contract(kind, false));
  // Declared but skipped, so that a run without PostgreSQL counts what it did not check.
  if (postgresTestMode() === 'skip') {
    describe('postgres', () => contract('postgres', NO_POSTGRES));
  }
});
