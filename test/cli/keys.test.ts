import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'src/cli/index.ts');

/** Runs the CLI (through tsx, so no build is needed) and returns stdout, stderr and exit code. */
async function payrail(
  ...args: string[]
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], {
      timeout: 30_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('payrail accounts and keys commands', () => {
  let dir: string;
  let database: string;
  let account: { id: string; secret_key: string; publishable_key: string };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'payrail-cli-'));
    database = `sqlite:${join(dir, 'cli.db')}`;
    const created = await payrail('accounts', 'create', '--database', database, '--json');
    assert.equal(created.code, 0, created.stderr);
    account = JSON.parse(created.stdout);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('accounts create prints the id and both keys as JSON', () => {
    assert.match(account.id, /^acct_/);
    assert.match(account.secret_key, /^sk_test_/);
    assert.match(account.publishable_key, /^pk_test_/);
  });

  describe('against a running server on the same database', () => {
    let ts: TestServer;
    before(async () => {
      ts = await startTestServer({ databaseUrl: database, keepDatabase: true });
    });
    after(() => ts.close());

    it('makes keys that the server accepts, with their permissions', async () => {
      const made = await payrail(
        'keys',
        'create',
        '--account',
        account.id,
        '--restricted',
        'customers:read',
        'charges:write',
        '--database',
        database,
        '--json',
      );
      assert.equal(made.code, 0, made.stderr);
      const { id, key } = JSON.parse(made.stdout);
      assert.match(id, /^key_/);
      assert.match(key, /^rk_test_/);
      assert.equal((await ts.fetch('/v1/customers', { key })).status, 200);
      assert.equal((await ts.fetch('/v1/account', { key })).status, 403);

      const secret = await payrail(
        'keys',
        'create',
        '--account',
        account.id,
        '--database',
        database,
        '--json',
      );
      assert.match(JSON.parse(secret.stdout).key, /^sk_test_/);
    });

    it('lists keys without their secrets', async () => {
      const listed = await payrail(
        'keys',
        'list',
        '--account',
        account.id,
        '--database',
        database,
        '--json',
      );
      assert.equal(listed.code, 0, listed.stderr);
      const keys = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
      assert.ok(keys.length >= 3);
      for (const k of keys) {
        for (const field of ['id', 'kind', 'hint', 'created', 'expires_at', 'permissions']) {
          assert.ok(field in k, field);
        }
      }
      const text = (await payrail('keys', 'list', '--account', account.id, '--database', database))
        .stdout;
      for (const out of [listed.stdout, text]) {
        assert.ok(!out.includes(account.secret_key));
        assert.ok(!/[sr]k_test_[A-Za-z0-9]{8}/.test(out));
      }
    });

    it('rolls a key with a grace period and revokes keys', async () => {
      const listed = JSON.parse(
        (await payrail('keys', 'list', '--account', account.id, '--database', database, '--json'))
          .stdout,
      ) as Array<{ id: string; kind: string; hint: string }>;
      const secret = listed.find(
        (k) => k.kind === 'secret' && account.secret_key.endsWith(k.hint),
      )!;

      const rolled = await payrail(
        'keys',
        'roll',
        secret.id,
        '--grace-seconds',
        '600',
        '--database',
        database,
        '--json',
      );
      assert.equal(rolled.code, 0, rolled.stderr);
      const fresh = JSON.parse(rolled.stdout);
      assert.match(fresh.key, /^sk_test_/);
      assert.equal((await ts.fetch('/v1/customers', { key: account.secret_key })).status, 200);
      assert.equal((await ts.fetch('/v1/customers', { key: fresh.key })).status, 200);

      const revoked = await payrail('keys', 'revoke', secret.id, '--database', database);
      assert.equal(revoked.code, 0, revoked.stderr);
      // Each process trusts a key it looked up for a second (docs/security.md), so a revocation
      // by another process lands within that time.
      const revokedAt = Date.now();
      let status = 0;
      while (Date.now() - revokedAt < 3000) {
        status = (await ts.fetch('/v1/customers', { key: account.secret_key })).status;
        if (status === 401) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(status, 401);
      assert.equal((await ts.fetch('/v1/customers', { key: fresh.key })).status, 200);
    });

    it('fails with a message and exit code 1 on a bad permission or unknown account', async () => {
      const bad = await payrail(
        'keys',
        'create',
        '--account',
        account.id,
        '--restricted',
        'nope',
        '--database',
        database,
      );
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /parameter_invalid/);
      const missing = await payrail(
        'keys',
        'list',
        '--account',
        'acct_missing',
        '--database',
        database,
      );
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /resource_missing/);
    });
  });
});
