import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { signatureHeader, verifySignature } from '../../src/webhooks/signing.js';

const stripe = new Stripe('sk_test_unused', { telemetry: false });
const secret = 'whsec_0123456789abcdefghijklmnopqrstuv';
const payload = '{\n  "id": "evt_1",\n  "object": "event",\n  "note": "ünïcödé"\n}';

describe('webhook signing', () => {
  it('produces the header stripe-node generates and accepts', () => {
    const t = Math.floor(Date.now() / 1000);
    const header = signatureHeader(secret, t, payload);
    assert.equal(
      header,
      stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: t }),
    );
    const event = stripe.webhooks.constructEvent(payload, header, secret);
    assert.equal(event.id, 'evt_1');
    assert.equal(stripe.webhooks.constructEvent(Buffer.from(payload), header, secret).id, 'evt_1');
  });

  it('verifies its own headers and rejects every kind of bad one', () => {
    const now = 1_800_000_000;
    const header = signatureHeader(secret, now, payload);
    assert.equal(verifySignature(secret, header, payload, now), true);
    assert.equal(verifySignature(secret, `${header},v0=abc`, payload, now), true);
    assert.equal(
      verifySignature(secret, `t=${now},v1=00,${header.split(',')[1]}`, payload, now),
      true,
    );
    const rejected = [
      [secret, header, `${payload} `, now],
      ['whsec_other', header, payload, now],
      [secret, header, payload, now + 301],
      [secret, header, payload, now - 301],
      [secret, `t=${now}`, payload, now],
      [secret, header.replace(/^t=\d+/, 'x=1'), payload, now],
      [secret, '', payload, now],
      [secret, header.split(',')[1], payload, now],
    ] as const;
    for (const [key, h, body, at] of rejected) {
      assert.equal(verifySignature(key, h, body, at), false, `${h} at ${at}`);
    }
  });
});
