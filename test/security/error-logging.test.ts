import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createAccount } from '../../src/services/accounts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * A bug (a broken invariant) answers a generic 500 naming the request id, and is logged once at
 * error level with message and stack, but no request data. The bug is made by hand: an account
 * row removed under a live key, so GET /v1/account fails its assertion.
 */
describe('a failing request', () => {
  let ts: TestServer;
  let dir: string;
  let logFile: string;
  let response: Response;
  let body: any;
  let key: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'payrail-errlog-'));
    logFile = join(dir, 'server.log');
    ts = await startTestServer({ logFile });
    const broken = await createAccount(ts.server.services.store, 0);
    key = broken.secret_key;
    const db = ts.server.services.store.db;
    // A key whose account row is gone: a state no request can make, so answering it is a bug.
    if (ts.server.services.store.dialect === 'sqlite') {
      await sql`PRAGMA foreign_keys = OFF`.execute(db);
      await db.deleteFrom('accounts').where('id', '=', broken.id).execute();
      await sql`PRAGMA foreign_keys = ON`.execute(db);
    } else {
      await db.transaction().execute(async (tx) => {
        await sql`SET LOCAL session_replication_role = replica`.execute(tx);
        await tx.deleteFrom('accounts').where('id', '=', broken.id).execute();
      });
    }
    response = await ts.fetch('/v1/account?expand[]=x4242424242424242', { key });
    body = await response.json();
    await ts.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("answers 500 api_error in Stripe's shape, naming the request id only", () => {
    assert.equal(response.status, 500);
    assert.equal(body.error.type, 'api_error');
    assert.ok(body.error.message.includes(response.headers.get('request-id')!));
    assert.ok(!body.error.message.includes('missing account'));
  });

  it('logs the failure once at error level, with stack but no request data', () => {
    const lines = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const requestId = response.headers.get('request-id');
    const mine = lines.filter((l) => l.request_id === requestId);
    const failed = mine.filter((l) => l.msg === 'request failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].level, 50);
    assert.equal(failed[0].err.type, 'AssertionError');
    assert.ok(failed[0].err.stack);
    const completed = mine.find((l) => l.msg === 'request completed');
    assert.equal(completed.level, 50);
    assert.equal(completed.status, 500);
    const text = JSON.stringify(mine);
    assert.ok(
      !text.includes(key) && !text.includes('4242424242424242') && !text.includes('expand'),
    );
  });
});
