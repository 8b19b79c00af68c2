import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withCardDigests } from '../../src/http/card-params.js';

describe('withCardDigests', () => {
  const body = {
    type: 'card',
    card: { number: '4242424242424242', cvc: '123', exp_month: '12' },
    payment_method_data: { card: { number: '5555555555554444', cvc: '999' } },
    metadata: { number: 'kept', cvc: 'kept' },
  };

  it('replaces card numbers and CVCs at any depth, and nothing else', () => {
    const copy = withCardDigests(body, 'key') as any;
    const text = JSON.stringify(copy);
    for (const secret of ['4242424242424242', '5555555555554444', '"123"', '"999"']) {
      assert.ok(!text.includes(secret), secret);
    }
    assert.match(copy.card.number, /^hmac:[0-9a-f]{64}$/);
    assert.equal(copy.card.exp_month, '12');
    assert.equal(copy.type, 'card');
    assert.deepEqual(copy.metadata, body.metadata);
    assert.equal(body.card.number, '4242424242424242', 'the input is not changed');
  });

  it('is stable for equal input, and differs by card and by key', () => {
    const a = JSON.stringify(withCardDigests(body, 'key'));
    assert.equal(JSON.stringify(withCardDigests(structuredClone(body), 'key')), a);
    assert.notEqual(JSON.stringify(withCardDigests(body, 'other')), a);
    const changed = { ...body, card: { ...body.card, number: '4000000000000002' } };
    assert.notEqual(JSON.stringify(withCardDigests(changed, 'key')), a);
  });
});
