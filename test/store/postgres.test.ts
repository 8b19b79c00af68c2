import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describe, it as test } from 'node:test';
import { newId } from '../../src/domain/ids.js';
import { toApiError } from '../../src/http/plugins/errors.js';
import { insertCustomer } from '../../src/store/repositories/customers.js';
import type { Tx } from '../../src/store/schema.js';
import { forUpdate, isLockTimeout, openStore } from '../../src/store/store.js';
import { createTestDatabase, NO_POSTGRES, postgresTestMode } from '../helpers/database.js';
import { customerRow, thrown } from '../helpers/store-rows.js';

/**
 * What only PostgreSQL has: several connections at once, so start-up races, deadlocks, row locks
 * and timeouts. Each check makes its own database.
 */
function postgresOnly(skip: string | false): void {
  const it = (name: string, fn: () => Promise<void>) => test(name, { skip }, fn);
  it('migrates a fresh database from three stores at once', async () => {
    const database = await createTestDatabase('postgres');
    const stores = [1, 2, 3].map(() => openStore({ url: database.url, durable: false }));
    try {
      const results = await Promise.allSettled(stores.map((s) => s.migrate()));
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'fulfilled'],
        String(results.find((r) => r.status === 'rejected')?.reason),
      );
      const applied = (await stores[0].db
        .selectFrom('kysely_migration' as any)
        .select('name' as any)
        .execute()) as Array<{ name: string }>;
      const names = applied.map((row) => row.name);
      assert.ok(names.includes('001-initial'));
      assert.equal(new Set(names).size, names.length, 'each migration applied once');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await database.drop();
    }
  });

  it('retries a transaction that a deadlock aborted', async () => {
    const database = await createTestDatabase('postgres');
    const store = openStore({ url: database.url, durable: false });
    try {
      await store.migrate();
      const [a, b] = [newId('cus'), newId('cus')];
      await insertCustomer(store.db, customerRow(a, 1));
      await insertCustomer(store.db, customerRow(b, 1));
      let attempts = 0;
      let arrived = 0;
      let bothLocked!: () => void;
      const barrier = new Promise<void>((resolve) => (bothLocked = resolve));
      // Each locks one row, waits until the other has locked its row, then wants the other's.
      const crossing = (first: string, second: string) =>
        store.transaction(async (tx) => {
          attempts++;
          const bump = (id: string) =>
            tx.updateTable('customers').set({ balance: 1 }).where('id', '=', id).execute();
          await bump(first);
          if (++arrived === 2) bothLocked();
          await barrier;
          await bump(second);
        });
      await Promise.all([crossing(a, b), crossing(b, a)]);
      assert.equal(attempts, 3, 'the deadlock victim ran once more');
    } finally {
      await store.close();
      await database.drop();
    }
  });

  it('answers 429 lock_timeout when no pooled connection frees up in time', async () => {
    const database = await createTestDatabase('postgres');
    const store = openStore({
      url: database.url,
      durable: false,
      poolSize: 2,
      connectionWaitMs: 300,
    });
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let started = 0;
      let bothStarted!: () => void;
      const busy = new Promise<void>((resolve) => (bothStarted = resolve));
      // Two transactions hold both connections, idle (so no statement times out).
      const holders = [1, 2].map(() =>
        store.transaction(async (tx) => {
          await sql`select 1`.execute(tx);
          if (++started === 2) bothStarted();
          await held;
        }),
      );
      await busy;
      const error = await thrown(() => sql`select 1`.execute(store.db));
      release();
      await Promise.all(holders);
      assert.ok(isLockTimeout(error), String(error));
      assert.equal(toApiError(error, 'req_test').code, 'lock_timeout');
    } finally {
      await store.close();
      await database.drop();
    }
  });

  it('gives up on endless serialisation failures with a 429 lock_timeout', async () => {
    const database = await createTestDatabase('postgres');
    const store = openStore({ url: database.url, durable: false });
    try {
      let attempts = 0;
      const error = await thrown(() =>
        store.transaction(async (tx) => {
          attempts++;
          await sql`DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$`.execute(
            tx,
          );
        }),
      );
      assert.equal(attempts, 5);
      const apiError = toApiError(error, 'req_test');
      assert.equal(apiError.status, 429);
      assert.equal(apiError.code, 'lock_timeout');
    } finally {
      await store.close();
      await database.drop();
    }
  });

  it('lets a second claimer skip rows another transaction holds', async () => {
    const database = await createTestDatabase('postgres');
    const store = openStore({ url: database.url, durable: false });
    try {
      await store.migrate();
      const accountId = newId('acct');
      const ids = [newId('cus'), newId('cus')];
      for (const id of ids) await insertCustomer(store.db, customerRow(id, 1, accountId));
      const claim = (tx: Tx) =>
        forUpdate(
          tx,
          tx
            .selectFrom('customers')
            .select('id')
            .where('account_id', '=', accountId)
            .orderBy('seq')
            .limit(1),
          { skipLocked: true },
        ).execute();

      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let claimed!: (id: string) => void;
      const firstClaim = new Promise<string>((resolve) => (claimed = resolve));
      const first = store.transaction(async (tx) => {
        claimed((await claim(tx))[0].id);
        await held;
      });
      const firstId = await firstClaim;
      const secondRows = await store.transaction(claim);
      release();
      await first;
      assert.equal(firstId, ids[0]);
      assert.deepEqual(
        secondRows.map((r) => r.id),
        [ids[1]],
      );
    } finally {
      await store.close();
      await database.drop();
    }
  });

  it('answers 429 lock_timeout when a writer waits past the statement timeout', async () => {
    const database = await createTestDatabase('postgres');
    const store = openStore({ url: database.url, durable: false, statementTimeoutMs: 300 });
    try {
      await store.migrate();
      const id = newId('cus');
      await insertCustomer(store.db, customerRow(id, 1));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holder = store.transaction(async (tx) => {
        await tx.selectFrom('customers').select('id').where('id', '=', id).forUpdate().execute();
        locked();
        await held;
      });
      await isLocked;
      const error = await thrown(() =>
        store.db.updateTable('customers').set({ name: 'x' }).where('id', '=', id).execute(),
      );
      release();
      await holder;
      assert.ok(isLockTimeout(error), String(error));
      const apiError = toApiError(error, 'req_test');
      assert.equal(apiError.status, 429);
      assert.equal(apiError.code, 'lock_timeout');
    } finally {
      await store.close();
      await database.drop();
    }
  });
}

const mode = postgresTestMode();
// Omitted from the SQLite pass of a two-pass run; visibly skipped when there is no PostgreSQL.
if (mode !== 'omit') {
  describe('store on PostgreSQL', () => postgresOnly(mode === 'skip' ? NO_POSTGRES : false));
}
