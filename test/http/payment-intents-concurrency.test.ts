import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { chargeCount } from '../helpers/payments.js';
import { form, startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Concurrency of payment intents on SQLite, and on PostgreSQL when PAYRAIL_TEST_POSTGRES_URL
 * names a server (a fresh database is made there for the run and dropped after).
 */
const POSTGRES_URL = process.env.PAYRAIL_TEST_POSTGRES_URL;

async function freshPostgresDatabase(
  baseUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `payrail_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

const databases: Array<[string, boolean]> = [
  ['sqlite', true],
  ['postgres', Boolean(POSTGRES_URL)],
];

for (const [database, enabled] of databases) {
  describe(`payment intents under concurrency (${database})`, { skip: !enabled }, () => {
    let t: TestServer;
    let drop: (() => Promise<void>) | undefined;
    before(async () => {
      if (database === 'postgres') {
        const fresh = await freshPostgresDatabase(POSTGRES_URL!);
        drop = fresh.drop;
        t = await startTestServer({ databaseUrl: fresh.url, keepDatabase: true });
      } else {
        t = await startTestServer();
      }
    });
    after(async () => {
      await t.close();
      await drop?.();
    });

    it('two concurrent confirms of one intent make exactly one charge', async () => {
      for (let round = 0; round < 5; round++) {
        const intent = await t.stripe.paymentIntents.create({
          amount: 2500,
          currency: 'usd',
          payment_method: 'pm_card_visa',
        });
        const results = await Promise.allSettled([
          t.stripe.paymentIntents.confirm(intent.id),
          t.stripe.paymentIntents.confirm(intent.id),
        ]);
        const succeeded = results.filter((r) => r.status === 'fulfilled');
        const refused = results.filter((r) => r.status === 'rejected');
        assert.equal(succeeded.length, 1, JSON.stringify(results));
        assert.equal(refused.length, 1);
        assert.equal(
          (refused[0] as PromiseRejectedResult).reason.code,
          'payment_intent_unexpected_state',
        );
        assert.equal(await chargeCount(t, intent.id), 1);
        const after = await t.stripe.paymentIntents.retrieve(intent.id);
        assert.equal(after.status, 'succeeded');
        assert.equal(after.amount_received, 2500);
      }
    });

    it('concurrent capture and cancel of one authorisation: exactly one wins', async () => {
      const intent = await t.stripe.paymentIntents.create({
        amount: 2500,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        capture_method: 'manual',
        confirm: true,
      });
      const results = await Promise.allSettled([
        t.stripe.paymentIntents.capture(intent.id),
        t.stripe.paymentIntents.cancel(intent.id),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const charge = await t.stripe.charges.retrieve(intent.latest_charge as string);
      assert.notEqual(charge.captured, charge.refunded);
    });

    it('a confirm is not refused by a concurrent metadata update of its intent', async () => {
      for (let round = 0; round < 5; round++) {
        const intent = await t.stripe.paymentIntents.create({
          amount: 1800,
          currency: 'usd',
          payment_method: 'pm_card_visa',
        });
        const [confirmed, updated] = await Promise.all([
          t.stripe.paymentIntents.confirm(intent.id),
          t.stripe.paymentIntents.update(intent.id, { metadata: { round: String(round) } }),
        ]);
        assert.equal(confirmed.status, 'succeeded');
        assert.deepEqual(updated.metadata, { round: String(round) });
        const after = await t.stripe.paymentIntents.retrieve(intent.id);
        assert.equal(after.status, 'succeeded');
        assert.deepEqual(after.metadata, { round: String(round) });
      }
    });

    it('a capture is not refused by a concurrent update of its charge', async () => {
      for (let round = 0; round < 5; round++) {
        const intent = await t.stripe.paymentIntents.create({
          amount: 2200,
          currency: 'usd',
          payment_method: 'pm_card_visa',
          capture_method: 'manual',
          confirm: true,
        });
        const charge = String(intent.latest_charge);
        const results = await Promise.allSettled([
          t.stripe.paymentIntents.capture(intent.id),
          t.stripe.charges.update(charge, { metadata: { round: String(round) } }),
        ]);
        assert.equal(results[0].status, 'fulfilled', JSON.stringify(results[0]));
        // The charge update may lose its compare-and-set to the capture (429, retryable), never 500.
        if (results[1].status === 'rejected') assert.equal(results[1].reason.statusCode, 429);
        const after = await t.stripe.charges.retrieve(charge);
        assert.equal(after.captured, true);
        assert.equal(after.amount_captured, 2200);
      }
    });

    it('eight concurrent creates with one Idempotency-Key make one intent', async () => {
      const key = `create-${randomBytes(8).toString('hex')}`;
      const send = () =>
        t.fetch('/v1/payment_intents', {
          ...form({ amount: '3100', currency: 'usd', 'metadata[key]': key }),
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': key },
        });
      const responses = await Promise.all(Array.from({ length: 8 }, send));
      const ids = new Set<string>();
      for (const response of responses) {
        const body = (await response.json()) as any;
        assert.ok([200, 409].includes(response.status), `${response.status}`);
        if (response.status === 200) ids.add(body.id);
        else assert.equal(body.error.code, 'idempotency_key_in_use');
      }
      assert.equal(ids.size, 1);
      const listed = await t.stripe.paymentIntents.list({ limit: 100 });
      assert.equal(listed.data.filter((pi) => pi.metadata.key === key).length, 1);
      const replay = await send();
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(((await replay.json()) as any).id, [...ids][0]);
    });
  });
}
