import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/http/logging.js';
import { storedBytes } from '../helpers/stored-bytes.js';
import { form, startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Invariant 4: no full card number or CVC is stored or logged, and API secrets and client
 * secrets appear in neither the log nor the database. Real requests go through a server logging
 * to a file; then the log and the SQLite files' bytes are searched.
 *
 * Payment methods, payment intents and webhook endpoints are built in parallel: their requests
 * are sent anyway, and a 404 "Unrecognized request URL" (route not there yet) is recorded in
 * `missingRoutes` instead of failing, so the test covers them as soon as they exist.
 */
const CARDS = ['4242424242424242', '4000000000000002'];

const standalone = (value: string) => new RegExp(`(?<![0-9])${value}(?![0-9])`);

describe('secrets stay out of logs and the database', () => {
  let ts: TestServer;
  let logFile: string;
  /** Everything the database held when the traffic was done, as latin1 text. */
  let stored: string;
  let cvc: string;
  const secretsSeen: string[] = [];
  const missingRoutes: string[] = [];

  /** Sends a request; returns the JSON answer, or undefined when the route does not exist yet. */
  async function send(path: string, init: RequestInit & { key?: string | null }) {
    const response = await ts.fetch(path, init);
    const body = await response.json();
    if (response.status === 404 && !body.error?.code) {
      missingRoutes.push(`${init.method ?? 'GET'} ${path}`);
      return undefined;
    }
    return body;
  }

  const cardParams = (prefix: string, number: string) => ({
    [`${prefix}[number]`]: number,
    [`${prefix}[exp_month]`]: '12',
    [`${prefix}[exp_year]`]: '2034',
    [`${prefix}[cvc]`]: cvc,
  });

  before(async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'payrail-log-'));
    logFile = join(logDir, 'server.log');
    ts = await startTestServer({ logFile });
    secretsSeen.push(ts.secretKey);

    // Some ordinary traffic first, then a CVC that does not already occur in the files.
    await ts.stripe.customers.create({ email: 'secret@example.com' });
    const existing = (await storedBytes(ts)).toString('latin1') + readFileSync(logFile, 'latin1');
    cvc = ['739', '816', '582', '467', '951', '318'].find((c) => !standalone(c).test(existing))!;
    assert.ok(cvc);

    const { createApiKey } = await import('../../src/services/api-keys.js');
    const { authenticateKey } = await import('../../src/services/accounts.js');
    const account = await authenticateKey(ts.server.services.store, ts.secretKey, 0);
    const restricted = await createApiKey(
      ts.server.services.store,
      account!.accountId,
      ['customers:read'],
      0,
    );
    secretsSeen.push(restricted.key);
    await ts.fetch('/v1/customers', { key: restricted.key });
    await ts.fetch('/v1/customers', { ...form({ name: 'x' }), key: restricted.key }); // 403
    await ts.fetch('/v1/customers', { key: `${ts.secretKey}x` }); // 401, key quoted masked
    await ts.fetch('/v1/customers', form({ ...cardParams('card', CARDS[0]) })); // 400 unknown

    for (const number of CARDS) {
      for (const key of [ts.publishableKey, ts.secretKey]) {
        await send('/v1/payment_methods', {
          ...form({ type: 'card', ...cardParams('card', number) }),
          key,
        });
      }
      const intent = await send(
        '/v1/payment_intents',
        form({
          amount: '1099',
          currency: 'usd',
          confirm: 'true',
          'payment_method_types[]': 'card',
          'payment_method_data[type]': 'card',
          ...cardParams('payment_method_data[card]', number),
        }),
      );
      if (intent?.client_secret) {
        secretsSeen.push(intent.client_secret);
        const secret = encodeURIComponent(intent.client_secret);
        const path = `/v1/payment_intents/${intent.id}?client_secret=${secret}`;
        await send(path, { key: ts.publishableKey });
      }
    }
    const endpoint = await send(
      '/v1/webhook_endpoints',
      form({ url: 'https://127.0.0.1:9/hook', 'enabled_events[]': '*' }),
    );
    if (endpoint?.secret) secretsSeen.push(endpoint.secret);
    stored = (await storedBytes(ts)).toString('latin1');
    await ts.close();
  });
  after(() => {
    rmSync(dirname(logFile), { recursive: true, force: true });
  });

  it('logs no card number, CVC, API key or client secret', () => {
    const log = readFileSync(logFile, 'utf8');
    assert.ok(log.includes('request completed'), 'the log was written');
    for (const number of CARDS) assert.ok(!log.includes(number), number);
    assert.ok(!new RegExp(`cvc[^0-9]{0,6}${cvc}(?![0-9])`).test(log), 'cvc');
    assert.ok(!standalone(cvc).test(log), 'cvc value');
    for (const secret of secretsSeen) assert.ok(!log.includes(secret), secret.slice(0, 8));
    if (missingRoutes.length > 0) {
      console.log(
        `routes not there yet, covered once they exist: ${[...new Set(missingRoutes)].join(', ')}`,
      );
    }
  });

  it('stores no card number, CVC, secret or restricted key', () => {
    const bytes = stored;
    assert.ok(bytes.length > 0);
    for (const number of CARDS) assert.ok(!bytes.includes(number), number);
    assert.ok(!standalone(cvc).test(bytes), 'cvc');
    // Stored on purpose, so not checked here: webhook signing secrets (needed to sign) and
    // payment intents' client secrets (Stripe returns them on every retrieve with a secret key).
    // TODO: derive client secrets as an HMAC of the intent id under a configured server secret,
    // so they need not be stored; it matters once database copies travel (backups, support).
    const storedOnPurpose = (s: string) => s.startsWith('whsec_') || s.includes('_secret_');
    for (const secret of secretsSeen.filter((s) => !storedOnPurpose(s))) {
      assert.ok(!bytes.includes(secret), secret.slice(0, 8));
    }
  });

  it('writes one completion line per request with id, account, route, status and duration', () => {
    const lines = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const completed = lines.filter((l) => l.msg === 'request completed');
    assert.ok(completed.length >= 6);
    for (const line of completed) {
      assert.match(line.request_id, /^req_/);
      assert.ok('account' in line && 'route' in line && 'duration_ms' in line);
      assert.equal(line.level, line.status >= 500 ? 50 : 30);
    }
    const created = completed.find(
      (l) => l.route === '/v1/customers' && l.method === 'POST' && l.status === 200,
    );
    assert.match(created.account, /^acct_/);
    assert.equal(lines.filter((l) => /listening/i.test(l.msg)).length, 1);
  });
});

describe('the logger', () => {
  it('scrubs secrets from error messages and never writes error bodies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'payrail-log-'));
    const file = join(dir, 'unit.log');
    try {
      const log = createLogger({ file });
      const error = Object.assign(
        new Error('card 4242 4242 4242 4242 with sk_test_abcdefghijklmnop1234'),
        {
          body: { card: { number: '4000000000000002', cvc: '123' } },
          code: 'E_TEST',
        },
      );
      log.error({ err: error, client_secret: 'pi_1_secret_abc' }, 'failed with whsec_abcdef');
      log.info({ body: { card: { number: '4242424242424242' } } }, 'pi_123_secret_xyz in message');
      const text = readFileSync(file, 'utf8');
      for (const leak of [
        '4242 4242',
        '4000000000000002',
        '4242424242424242',
        'abcdefghijklmnop',
        'whsec_abcdef',
        'secret_abc',
        'secret_xyz',
      ]) {
        assert.ok(!text.includes(leak), leak);
      }
      assert.ok(text.includes('E_TEST') && text.includes('sk_test_[redacted]1234'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
