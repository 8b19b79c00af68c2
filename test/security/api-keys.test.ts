import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authenticateKey } from '../../src/services/accounts.js';
import * as apiKeys from '../../src/services/api-keys.js';
import { form, startTestServer, type TestServer } from '../helpers/server.js';

const now = () => Math.floor(Date.now() / 1000);

describe('API keys', () => {
  let ts: TestServer;
  let accountId: string;

  before(async () => {
    ts = await startTestServer();
    accountId = (await authenticateKey(ts.server.services.store, ts.secretKey, now()))!.accountId;
  });
  after(() => ts.close());

  describe('restricted keys', () => {
    let reader: string;
    before(async () => {
      reader = (
        await apiKeys.createApiKey(ts.server.services.store, accountId, ['customers:read'], now())
      ).key;
      assert.match(reader, /^rk_test_/);
    });

    it('read what their permissions allow', async () => {
      const list = await ts.stripeWith(reader).customers.list();
      assert.equal(list.object, 'list');
    });

    it('are refused writes where they may only read (403 insufficient_permissions)', async () => {
      const response = await ts.fetch('/v1/customers', { ...form({ name: 'x' }), key: reader });
      assert.equal(response.status, 403);
      const body = await response.json();
      assert.equal(body.error.type, 'invalid_request_error');
      assert.equal(body.error.code, 'insufficient_permissions');
      assert.equal((await ts.stripe.customers.list()).data.length, 0);
    });

    it('are refused other resources', async () => {
      const response = await ts.fetch('/v1/account', { key: reader });
      assert.equal(response.status, 403);
      assert.equal((await response.json()).error.code, 'insufficient_permissions');
    });

    it('may write, and so read, with resource:write', async () => {
      const { key } = await apiKeys.createApiKey(
        ts.server.services.store,
        accountId,
        ['customers:write'],
        now(),
      );
      const writer = ts.stripeWith(key);
      const customer = await writer.customers.create({ name: 'w' });
      assert.equal((await writer.customers.retrieve(customer.id)).id, customer.id);
    });
  });

  describe('expansions', () => {
    it('need read permission on what they expand, as a direct read would', async () => {
      const store = ts.server.services.store;
      const intentsOnly = (
        await apiKeys.createApiKey(store, accountId, ['payment_intents:read'], now())
      ).key;
      const withCharges = (
        await apiKeys.createApiKey(
          store,
          accountId,
          ['payment_intents:read', 'charges:read'],
          now(),
        )
      ).key;
      const intent = await ts.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      const path = `/v1/payment_intents/${intent.id}?expand[]=latest_charge`;
      const refused = await ts.fetch(path, { key: intentsOnly });
      assert.equal(refused.status, 403);
      assert.equal((await refused.json()).error.code, 'insufficient_permissions');
      const listed = await ts.fetch('/v1/payment_intents?expand[]=data.latest_charge', {
        key: intentsOnly,
      });
      assert.equal(listed.status, 403);
      const plain = await ts.fetch(`/v1/payment_intents/${intent.id}`, { key: intentsOnly });
      assert.equal(plain.status, 200);
      const allowed = await ts.fetch(path, { key: withCharges });
      assert.equal(allowed.status, 200);
      assert.equal((await allowed.json()).latest_charge.object, 'charge');
    });
  });

  describe('GET /v1/account', () => {
    it("returns the caller's account", async () => {
      const response = await ts.fetch('/v1/account');
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.equal(body.id, accountId);
      assert.equal(body.object, 'account');
    });

    it('is refused to publishable keys', async () => {
      const response = await ts.fetch('/v1/account', { key: ts.publishableKey });
      assert.equal(response.status, 401);
      assert.equal((await response.json()).error.code, 'secret_key_required');
    });
  });

  describe('rolling and revoking', () => {
    it('keeps the old key working during the grace period, and the new one at once', async () => {
      const store = ts.server.services.store;
      const old = await apiKeys.createApiKey(store, accountId, undefined, now());
      const rolled = await apiKeys.rollApiKey(store, old.id, 3600, now());
      assert.ok(rolled.expires_at >= now() + 3599);
      assert.equal((await ts.fetch('/v1/customers', { key: old.key })).status, 200);
      assert.equal((await ts.fetch('/v1/customers', { key: rolled.key })).status, 200);
    });

    it('expires the old key after the grace period (401 api_key_expired)', async () => {
      const store = ts.server.services.store;
      const old = await apiKeys.createApiKey(store, accountId, undefined, now());
      await apiKeys.rollApiKey(store, old.id, 0, now());
      const response = await ts.fetch('/v1/customers', { key: old.key });
      assert.equal(response.status, 401);
      assert.equal((await response.json()).error.code, 'api_key_expired');
    });

    it('keeps permissions on a rolled restricted key', async () => {
      const store = ts.server.services.store;
      const old = await apiKeys.createApiKey(store, accountId, ['customers:read'], now());
      const rolled = await apiKeys.rollApiKey(store, old.id, 0, now());
      assert.match(rolled.key, /^rk_test_/);
      const listed = (await apiKeys.listApiKeys(store, accountId)).find((k) => k.id === rolled.id);
      assert.deepEqual(listed?.permissions, ['customers:read']);
    });

    it('refuses a revoked key as invalid', async () => {
      const store = ts.server.services.store;
      const key = await apiKeys.createApiKey(store, accountId, undefined, now());
      await apiKeys.revokeApiKey(store, key.id, now());
      const response = await ts.fetch('/v1/customers', { key: key.key });
      assert.equal(response.status, 401);
      assert.equal((await response.json()).error.type, 'invalid_request_error');
    });
  });
});
