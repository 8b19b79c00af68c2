import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import Stripe from 'stripe';
import { openStore } from '../../src/store/store.js';
import { NO_POSTGRES, postgresTestMode } from '../helpers/database.js';
import { logLines, startServerProcesses, type ServerProcessGroup } from '../helpers/processes.js';
import { stripeError } from '../helpers/stripe-error.js';

const mode = postgresTestMode();
const skip = mode === 'skip' ? NO_POSTGRES : false;

/** Counts rows of a table straight from the shared database. */
async function countRows(databaseUrl: string, table: 'accounts' | 'customers'): Promise<number> {
  const store = openStore({ url: databaseUrl });
  try {
    const row = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await store.close();
  }
}

// Several server processes on one PostgreSQL database: the scale-out set-up. Omitted from the
// SQLite pass of a two-pass run (the PostgreSQL pass runs it), skipped without PostgreSQL.
if (mode !== 'omit') {
  describe('server processes sharing one PostgreSQL database', () => {
    describe('two processes started together', () => {
      let group: ServerProcessGroup;
      before(async () => {
        if (!skip) group = await startServerProcesses(2);
      });
      after(() => group?.close());

      it('migrate and create the default account once', { skip }, async () => {
        assert.equal(await countRows(group.database.url, 'accounts'), 1);
        for (const server of group.processes) {
          const list = await server.stripe.customers.list({ limit: 1 });
          assert.equal(list.object, 'list');
        }
      });

      it('create exactly one customer for one idempotency key sent to both', { skip }, async () => {
        const key = `multi-${Date.now()}`;
        const email = `${key}@example.com`;
        const attempts = Array.from({ length: 10 }, (_, i) =>
          group.processes[i % 2].stripe.customers.create({ email }, { idempotencyKey: key }),
        );
        const results = await Promise.allSettled(attempts);

        const created = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        assert.ok(created.length >= 1, 'at least the first request succeeds');
        assert.equal(new Set(created.map((c) => c.id)).size, 1);
        for (const r of results) {
          if (r.status === 'fulfilled') continue;
          assert.ok(r.reason instanceof Stripe.errors.StripeError, String(r.reason));
          assert.equal(r.reason.statusCode, 409);
          assert.equal(r.reason.code, 'idempotency_key_in_use');
        }

        // Both processes see one customer, and a later retry on either replays it.
        for (const server of group.processes) {
          const list = await server.stripe.customers.list({ email });
          assert.deepEqual(
            list.data.map((c) => c.id),
            [created[0].id],
          );
          const retry = await server.fetch('/v1/customers', {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'idempotency-key': key,
            },
            body: new URLSearchParams({ email }).toString(),
          });
          assert.equal(retry.status, 200);
          assert.equal(retry.headers.get('idempotent-replayed'), 'true');
          assert.equal(((await retry.json()) as { id: string }).id, created[0].id);
        }
      });
    });

    describe('payrail start --pool-size 3 --statement-timeout-ms 300', () => {
      let group: ServerProcessGroup;
      let client: pg.Client;
      before(async () => {
        if (skip) return;
        group = await startServerProcesses(1, {
          args: ['--pool-size', '3', '--statement-timeout-ms', '300'],
        });
        client = new pg.Client({ connectionString: group.database.url });
        await client.connect();
      });
      after(async () => {
        await client?.end();
        await group?.close();
      });

      it('answers 429 lock_timeout while a row stays locked, then succeeds', { skip }, async () => {
        const [server] = group.processes;
        const customer = await server.stripe.customers.create({ email: 'locked@example.com' });
        const key = `locked-${Date.now()}`;

        await client.query('BEGIN');
        await client.query('SELECT id FROM customers WHERE id = $1 FOR UPDATE', [customer.id]);
        const update = () =>
          server.stripe.customers.update(customer.id, { name: 'Ada' }, { idempotencyKey: key });
        const error = await stripeError(update);
        await client.query('ROLLBACK');
        assert.equal(error.statusCode, 429);
        assert.equal(error.code, 'lock_timeout');

        // The failed attempt changed nothing and released its key, so the retry does the work.
        const updated = await update();
        assert.equal(updated.name, 'Ada');
      });

      it('holds at most --pool-size connections under concurrent load', { skip }, async () => {
        const [server] = group.processes;
        const creates = Array.from({ length: 30 }, (_, i) =>
          server.stripe.customers.create({ email: `pool${i}@example.com` }),
        );
        await Promise.all(creates);
        const { rows } = await client.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND application_name = 'payrail'`,
        );
        assert.ok(rows[0].n >= 1 && rows[0].n <= 3, `connections: ${rows[0].n}`);
      });
    });

    describe('payrail start --workers 2', () => {
      let group: ServerProcessGroup;
      before(async () => {
        if (!skip) group = await startServerProcesses(1, { args: ['--workers', '2'] });
      });
      after(() => group?.close());

      it('serves one port from two worker processes', { skip }, async () => {
        const [server] = group.processes;
        assert.equal(new Set(server.serverPids).size, 2);
        assert.ok(!server.serverPids.includes(server.child.pid!), 'the primary serves nothing');

        const creates = Array.from({ length: 20 }, (_, i) =>
          server.stripe.customers.create({ email: `w${i}@example.com` }),
        );
        assert.equal((await Promise.all(creates)).length, 20);
        assert.equal(await countRows(group.database.url, 'customers'), 20);
        const servedBy = new Set(
          logLines(server.output())
            .filter((l) => l.msg === 'request completed')
            .map((l) => l.pid),
        );
        assert.equal(servedBy.size, 2, 'both workers answered requests');
      });

      it('stops every worker on SIGTERM and exits 0', { skip }, async () => {
        const [server] = group.processes;
        assert.equal(await server.stop(), 0);
        for (const pid of server.serverPids) {
          assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
        }
      });
    });
  });
}
