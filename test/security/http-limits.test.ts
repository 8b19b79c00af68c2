import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function expectStripeError(
  response: Response,
  status: number,
): Promise<Record<string, unknown>> {
  assert.equal(response.status, status);
  const body = await response.json();
  assert.equal(typeof body.error?.type, 'string');
  assert.equal(typeof body.error?.message, 'string');
  return body.error;
}

describe('HTTP hardening', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
  });
  after(() => ts.close());

  describe('security headers', () => {
    it('sends nosniff, no-referrer and frame denial, and no HSTS over HTTP', async () => {
      for (const response of [await ts.fetch('/v1/customers'), await ts.fetch('/v1/nowhere')]) {
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
        assert.equal(response.headers.get('x-frame-options'), 'DENY');
        assert.equal(response.headers.get('strict-transport-security'), null);
      }
    });
  });

  it('lets only the 3-D Secure page be framed, and only by its own origin', async () => {
    const page = await ts.fetch('/v1/3ds/pi_missing?client_secret=x', { key: null });
    assert.equal(page.headers.get('x-frame-options'), 'SAMEORIGIN');
  });

  describe('CORS', () => {
    const preflight = (path: string, method: string) =>
      ts.fetch(path, {
        method: 'OPTIONS',
        key: null,
        headers: {
          origin: 'https://shop.example',
          'access-control-request-method': method,
          'access-control-request-headers': 'authorization, content-type',
        },
      });

    for (const [method, path] of [
      ['POST', '/v1/payment_methods'],
      ['GET', '/v1/payment_intents/pi_123'],
      ['POST', '/v1/payment_intents/pi_123/confirm'],
    ]) {
      it(`answers the preflight for ${method} ${path}`, async () => {
        const response = await preflight(path, method);
        assert.equal(response.status, 204);
        assert.equal(response.headers.get('access-control-allow-origin'), '*');
        assert.match(response.headers.get('access-control-allow-methods')!, new RegExp(method));
        const allowed = response.headers.get('access-control-allow-headers')!.toLowerCase();
        for (const h of ['authorization', 'content-type', 'idempotency-key', 'stripe-version']) {
          assert.ok(allowed.includes(h), h);
        }
      });
    }

    it('marks answers of browser routes readable by any origin, errors included', async () => {
      const card = {
        type: 'card',
        'card[number]': '4242424242424242',
        'card[exp_month]': '12',
        'card[exp_year]': '2034',
      };
      const created = await ts.fetch('/v1/payment_methods', {
        method: 'POST',
        headers: { ...FORM, origin: 'https://shop.example' },
        body: new URLSearchParams(card).toString(),
        key: ts.publishableKey,
      });
      assert.equal(created.status, 200);
      assert.equal(created.headers.get('access-control-allow-origin'), '*');
      assert.equal(created.headers.get('access-control-expose-headers'), 'Request-Id');
      const refused = await ts.fetch('/v1/payment_intents/pi_missing', { key: ts.publishableKey });
      assert.ok(refused.status >= 400);
      assert.equal(refused.headers.get('access-control-allow-origin'), '*');
    });

    it('sends no CORS headers anywhere else', async () => {
      const pre = await preflight('/v1/customers', 'POST');
      assert.equal(pre.headers.get('access-control-allow-origin'), null);
      const get = await ts.fetch('/v1/customers', { headers: { origin: 'https://shop.example' } });
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('access-control-allow-origin'), null);
      assert.equal(get.headers.get('access-control-expose-headers'), null);
    });
  });

  describe('request limits', () => {
    it('refuses parameters nested too deeply in a form body, a query string and JSON', async () => {
      const deep = `metadata${'[a]'.repeat(10)}=1`;
      await expectStripeError(
        await ts.fetch('/v1/customers', { method: 'POST', headers: FORM, body: deep }),
        400,
      );
      await expectStripeError(await ts.fetch(`/v1/customers?${deep}`), 400);
      const json = `${'{"metadata":'.repeat(50)}1${'}'.repeat(50)}`;
      const headers = { 'content-type': 'application/json' };
      await expectStripeError(
        await ts.fetch('/v1/customers', { method: 'POST', headers, body: json }),
        400,
      );
      // The server is still up and changed nothing.
      assert.equal((await ts.stripe.customers.list()).data.length, 0);
    });

    it('refuses too many parameters and arrays too long', async () => {
      const many = Array.from({ length: 1200 }, (_, i) => `metadata[k${i}]=v`).join('&');
      await expectStripeError(
        await ts.fetch('/v1/customers', { method: 'POST', headers: FORM, body: many }),
        400,
      );
      const long = Array.from({ length: 150 }, (_, i) => `preferred_locales[${i}]=en`).join('&');
      await expectStripeError(
        await ts.fetch('/v1/customers', { method: 'POST', headers: FORM, body: long }),
        400,
      );
    });

    it('refuses a body over the limit with 413', async () => {
      const body = `name=${'a'.repeat(300 * 1024)}`;
      const error = await expectStripeError(
        await ts.fetch('/v1/customers', { method: 'POST', headers: FORM, body }),
        413,
      );
      assert.equal(error.code, 'request_too_large');
    });

    it('refuses content types other than form and JSON', async () => {
      for (const type of [
        'text/plain',
        'application/jsonx',
        'multipart/form-data; boundary=x',
        'application/xml',
      ]) {
        const response = await ts.fetch('/v1/customers', {
          method: 'POST',
          headers: { 'content-type': type },
          body: 'x',
        });
        await expectStripeError(response, 400);
      }
    });

    it("answers oversized headers with 431 in Stripe's error shape", async () => {
      const response = await ts.fetch('/v1/customers', {
        headers: { 'x-padding': 'a'.repeat(20 * 1024) },
      });
      await expectStripeError(response, 431);
    });

    it('answers unparsable HTTP with a 400 in the same shape', async () => {
      const text = await new Promise<string>((resolve, reject) => {
        const socket = connect(ts.port, '127.0.0.1', () => {
          socket.write('GET /v1/customers HTTP/1.1\r\nHost: x\r\nbroken header line\r\n\r\n');
        });
        let data = '';
        socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
        socket.on('data', (d) => (data += d));
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
      assert.match(text, /^HTTP\/1\.1 400 /);
      const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
      assert.equal(body.error.type, 'invalid_request_error');
    });
  });
});
