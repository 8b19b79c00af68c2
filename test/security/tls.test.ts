import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { selfSignedTls } from '../../src/tls.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** A GET over HTTPS trusting only `ca`; returns status and headers. */
function httpsGet(
  url: string,
  ca: Buffer,
  key: string,
): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { ca, headers: { authorization: `Bearer ${key}` }, timeout: 5000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('HTTPS', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payrail-tls-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('with --tls-cert and --tls-key', () => {
    let ts: TestServer;
    let ca: Buffer;
    before(async () => {
      const made = selfSignedTls(join(dir, 'given'));
      ca = made.cert;
      ts = await startTestServer({
        config: { tlsCertFile: made.certFile, tlsKeyFile: made.keyFile },
      });
    });
    after(() => ts.close());

    it('serves the API over HTTPS with HSTS', async () => {
      assert.match(ts.url, /^https:\/\//);
      const response = await httpsGet(`${ts.url}/v1/customers`, ca, ts.secretKey);
      assert.equal(response.status, 200);
      assert.match(String(response.headers['strict-transport-security']), /max-age=\d+/);
    });

    it('works with the Stripe SDK trusting the certificate', async () => {
      const stripe = new Stripe(ts.secretKey, {
        host: '127.0.0.1',
        port: ts.port,
        protocol: 'https',
        httpAgent: new Agent({ ca }),
        maxNetworkRetries: 0,
        telemetry: false,
      });
      const customer = await stripe.customers.create({ email: 'tls@example.com' });
      assert.equal((await stripe.customers.retrieve(customer.id)).id, customer.id);
    });

    it('does not answer plain HTTP on the same port', async () => {
      await assert.rejects(fetch(`http://127.0.0.1:${ts.port}/v1/customers`));
    });
  });

  describe('payrail start --tls self-signed', () => {
    it('generates a certificate under ./.payrail/tls/, says where, and serves HTTPS', async () => {
      const cwd = join(dir, 'cli');
      const cli = join(process.cwd(), 'dist/payrail.mjs');
      mkdirSync(cwd, { recursive: true });
      const child = spawn(
        process.execPath,
        [
          cli,
          'start',
          '--tls',
          'self-signed',
          '--port',
          '0',
          '--database',
          `sqlite:${join(cwd, 'p.db')}`,
        ],
        { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      try {
        let out = '';
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no listen line in: ${out}`)), 20_000);
          child.stdout.on('data', (d) => {
            out += d;
            const m = /Payrail listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(out);
            if (m && out.includes('database ready')) {
              clearTimeout(timer);
              resolve(m[1]);
            }
          });
          child.on('exit', () => reject(new Error(`exited: ${out}`)));
        });
        const certFile = join(cwd, '.payrail/tls/cert.pem');
        assert.ok(existsSync(certFile));
        assert.ok(out.includes(certFile), 'prints where the certificate is');
        assert.equal(out.match(/listening/gi)?.length, 1, 'exactly one listen line');
        const key = /secret key:\s+(sk_test_\S+)/.exec(out)![1];
        const response = await httpsGet(`${url}/v1/customers`, readFileSync(certFile), key);
        assert.equal(response.status, 200);
      } finally {
        child.kill('SIGTERM');
      }
    });
  });
});

describe('--trust-proxy', () => {
  const forwarded = (ts: TestServer, address: string, key: string) =>
    ts.fetch('/v1/customers', {
      key,
      headers: { 'x-forwarded-for': address, 'x-forwarded-proto': 'https' },
    });

  it('is off by default: forwarded headers change neither HSTS nor the address', async () => {
    const ts = await startTestServer({ config: { authFailureRateLimitPerSecond: 2 } });
    try {
      const ok = await forwarded(ts, '10.0.0.1', ts.secretKey);
      assert.equal(ok.headers.get('strict-transport-security'), null);
      await forwarded(ts, '10.0.0.1', 'sk_test_wrong1');
      await forwarded(ts, '10.0.0.2', 'sk_test_wrong2');
      assert.equal((await forwarded(ts, '10.0.0.3', 'sk_test_wrong3')).status, 429);
    } finally {
      await ts.close();
    }
  });

  it('when set, believes X-Forwarded-Proto (HSTS) and -For (per-address limits)', async () => {
    const ts = await startTestServer({
      config: { trustProxy: true, authFailureRateLimitPerSecond: 2 },
    });
    try {
      const ok = await forwarded(ts, '10.0.0.1', ts.secretKey);
      assert.match(ok.headers.get('strict-transport-security') ?? '', /max-age/);
      await forwarded(ts, '10.0.0.1', 'sk_test_wrong1');
      await forwarded(ts, '10.0.0.1', 'sk_test_wrong2');
      assert.equal((await forwarded(ts, '10.0.0.1', 'sk_test_wrong3')).status, 429);
      assert.equal((await forwarded(ts, '10.0.0.2', 'sk_test_wrong4')).status, 401);
    } finally {
      await ts.close();
    }
  });
});
