import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccount, type CreatedAccount } from '../../src/services/accounts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Invariant 5: no response to account B contains data of account A, and A's ids are, to B,
 * exactly like ids that do not exist (same status, type, code and param).
 *
 * Each resource is one row of CASES. To cover a new endpoint, add a row: how account A makes
 * one object (through the HTTP API with A's key), the path that retrieves it, the list that must
 * not show it, the state-changing calls B must not be able to make on it, and the parameters
 * through which B might try to reference it from one of B's own requests.
 */
interface IsolationCase {
  resource: string;
  /** Creates one object as the caller of `api`; returns its id. */
  create(api: Api): Promise<string>;
  /** An id of the same shape that exists nowhere. */
  missingId: string;
  retrieve: (id: string) => string;
  /** List endpoints that must not show A's object to B. */
  lists: string[];
  /** Calls that would change A's object: each must look to B like the id does not exist. */
  mutations: Array<{
    method: 'POST' | 'DELETE' | 'PUT';
    path: (id: string) => string;
    body?: Record<string, string>;
  }>;
  /** B's own requests that name A's object in a parameter: refused as if it did not exist. */
  references: Array<{ path: string; body: (id: string) => Record<string, string> }>;
}

const CARD = {
  type: 'card',
  'card[number]': '4242424242424242',
  'card[exp_month]': '12',
  'card[exp_year]': '2034',
  'card[cvc]': '123',
};

/** A captured payment of account `api`: its intent, with latest_charge. */
async function paidIntent(api: Api): Promise<{ id: string; latest_charge: string }> {
  const body = { amount: '2000', currency: 'usd', payment_method: 'pm_card_visa', confirm: 'true' };
  const response = await api('POST', '/v1/payment_intents', body);
  assert.equal(response.body.status, 'succeeded');
  return response.body;
}

type Api = (
  method: string,
  path: string,
  body?: Record<string, string>,
) => Promise<{ status: number; body: any }>;

const CASES: IsolationCase[] = [
  {
    resource: 'customers',
    create: async (api) =>
      (await api('POST', '/v1/customers', { email: 'a@example.com', name: 'A' })).body.id,
    missingId: 'cus_000000000000000000000000',
    retrieve: (id) => `/v1/customers/${id}`,
    lists: ['/v1/customers', '/v1/customers?email=a@example.com'],
    mutations: [
      { method: 'POST', path: (id) => `/v1/customers/${id}`, body: { name: 'taken over' } },
      { method: 'DELETE', path: (id) => `/v1/customers/${id}` },
    ],
    references: [
      {
        path: '/v1/payment_intents',
        body: (id) => ({ amount: '100', currency: 'usd', customer: id }),
      },
    ],
  },
  {
    resource: 'payment_methods',
    create: async (api) => (await api('POST', '/v1/payment_methods', CARD)).body.id,
    missingId: 'pm_000000000000000000000000',
    retrieve: (id) => `/v1/payment_methods/${id}`,
    lists: [],
    mutations: [
      { method: 'POST', path: (id) => `/v1/payment_methods/${id}`, body: { 'metadata[a]': 'b' } },
      { method: 'POST', path: (id) => `/v1/payment_methods/${id}/detach` },
    ],
    references: [
      {
        path: '/v1/payment_intents',
        body: (id) => ({ amount: '100', currency: 'usd', payment_method: id }),
      },
    ],
  },
  {
    resource: 'payment_intents',
    create: async (api) =>
      (await api('POST', '/v1/payment_intents', { amount: '1000', currency: 'usd' })).body.id,
    missingId: 'pi_000000000000000000000000',
    retrieve: (id) => `/v1/payment_intents/${id}`,
    lists: ['/v1/payment_intents'],
    mutations: [
      { method: 'POST', path: (id) => `/v1/payment_intents/${id}`, body: { description: 'x' } },
      {
        method: 'POST',
        path: (id) => `/v1/payment_intents/${id}/confirm`,
        body: { payment_method: 'pm_card_visa' },
      },
      { method: 'POST', path: (id) => `/v1/payment_intents/${id}/cancel` },
      { method: 'POST', path: (id) => `/v1/payment_intents/${id}/capture` },
    ],
    references: [{ path: '/v1/refunds', body: (id) => ({ payment_intent: id }) }],
  },
  {
    resource: 'charges',
    create: async (api) => (await paidIntent(api)).latest_charge,
    missingId: 'ch_000000000000000000000000',
    retrieve: (id) => `/v1/charges/${id}`,
    lists: ['/v1/charges'],
    mutations: [
      { method: 'POST', path: (id) => `/v1/charges/${id}`, body: { description: 'x' } },
      { method: 'POST', path: (id) => `/v1/charges/${id}/refunds`, body: { amount: '100' } },
    ],
    references: [{ path: '/v1/refunds', body: (id) => ({ charge: id }) }],
  },
  {
    resource: 'refunds',
    create: async (api) => {
      const intent = await paidIntent(api);
      const refund = await api('POST', '/v1/refunds', { payment_intent: intent.id, amount: '100' });
      return refund.body.id;
    },
    missingId: 're_000000000000000000000000',
    retrieve: (id) => `/v1/refunds/${id}`,
    lists: ['/v1/refunds'],
    mutations: [
      { method: 'POST', path: (id) => `/v1/refunds/${id}`, body: { 'metadata[a]': 'b' } },
    ],
    references: [],
  },
  {
    resource: 'events',
    create: async (api) => {
      await api('POST', '/v1/customers', { name: 'evented' });
      return (await api('GET', '/v1/events?limit=1')).body.data[0].id;
    },
    missingId: 'evt_000000000000000000000000',
    retrieve: (id) => `/v1/events/${id}`,
    lists: ['/v1/events', '/v1/events?type=customer.created'],
    mutations: [],
    references: [],
  },
  {
    resource: 'webhook_endpoints',
    create: async (api) => {
      const body = { url: 'https://127.0.0.1:9/hook', 'enabled_events[]': '*' };
      return (await api('POST', '/v1/webhook_endpoints', body)).body.id;
    },
    missingId: 'we_000000000000000000000000',
    retrieve: (id) => `/v1/webhook_endpoints/${id}`,
    lists: ['/v1/webhook_endpoints'],
    mutations: [
      { method: 'POST', path: (id) => `/v1/webhook_endpoints/${id}`, body: { disabled: 'true' } },
      { method: 'DELETE', path: (id) => `/v1/webhook_endpoints/${id}` },
    ],
    references: [],
  },
  {
    // A customer's transaction history: its id is the customer's, the history lives under it.
    resource: 'customer transactions',
    create: async (api) => {
      const customer = (await api('POST', '/v1/customers', { name: 'payer' })).body.id;
      const body = {
        amount: '1500',
        currency: 'usd',
        customer,
        payment_method: 'pm_card_visa',
        confirm: 'true',
      };
      assert.equal((await api('POST', '/v1/payment_intents', body)).body.status, 'succeeded');
      return customer;
    },
    missingId: 'cus_000000000000000000000000',
    retrieve: (id) => `/v1/customers/${id}/transactions`,
    lists: [],
    mutations: [],
    references: [],
  },
];

function apiFor(ts: TestServer, key: string): Api {
  return async (method, path, body) => {
    const init: RequestInit = { method, key } as RequestInit;
    if (body) {
      init.headers = { 'content-type': 'application/x-www-form-urlencoded' };
      init.body = new URLSearchParams(body).toString();
    }
    const response = await ts.fetch(path, { ...init, key });
    return { status: response.status, body: await response.json() };
  };
}

/** The parts of an error that a client can branch on (the message names the id, so not it). */
function errorShape(response: { status: number; body: any }) {
  const { type, code, param } = response.body.error ?? {};
  return { status: response.status, type, code, param };
}

describe('account isolation', () => {
  let ts: TestServer;
  let accountB: CreatedAccount;
  let asA: Api;
  let asB: Api;

  before(async () => {
    ts = await startTestServer();
    accountB = await createAccount(ts.server.services.store, Math.floor(Date.now() / 1000));
    asA = apiFor(ts, ts.secretKey);
    asB = apiFor(ts, accountB.secret_key);
  });
  after(() => ts.close());

  it('gives the second account its own identity on GET /v1/account', async () => {
    const a = await asA('GET', '/v1/account');
    const b = await asB('GET', '/v1/account');
    assert.equal(b.status, 200);
    assert.equal(b.body.object, 'account');
    assert.equal(b.body.id, accountB.id);
    assert.notEqual(a.body.id, b.body.id);
  });

  for (const c of CASES) {
    describe(c.resource, () => {
      let id: string;
      before(async () => {
        id = await c.create(asA);
        assert.match(id, /^[a-z]+_/);
      });

      it("answers another account's id exactly like a missing id", async () => {
        const foreign = await asB('GET', c.retrieve(id));
        const missing = await asB('GET', c.retrieve(c.missingId));
        assert.equal(foreign.status, 404);
        assert.deepEqual(errorShape(foreign), errorShape(missing));
        assert.equal((await asA('GET', c.retrieve(id))).status, 200);
      });

      it('never lists it to the other account', async () => {
        for (const list of c.lists) {
          const response = await asB('GET', list);
          assert.equal(response.status, 200, list);
          assert.ok(!JSON.stringify(response.body).includes(id), list);
        }
      });

      it("refuses the other account's changes as if it did not exist", async () => {
        const before = await asA('GET', c.retrieve(id));
        for (const m of c.mutations) {
          const foreign = await asB(m.method, m.path(id), m.body);
          const missing = await asB(m.method, m.path(c.missingId), m.body);
          assert.equal(foreign.status, 404, `${m.method} ${m.path(id)}`);
          assert.deepEqual(errorShape(foreign), errorShape(missing));
        }
        assert.deepEqual(await asA('GET', c.retrieve(id)), before);
      });

      it("refuses references to it from the other account's requests", async () => {
        for (const r of c.references) {
          const foreign = await asB('POST', r.path, r.body(id));
          const missing = await asB('POST', r.path, r.body(c.missingId));
          assert.ok(foreign.status >= 400, r.path);
          assert.deepEqual(errorShape(foreign), errorShape(missing));
          assert.ok(!JSON.stringify(foreign.body).includes('"object"'), r.path);
        }
      });
    });
  }
});
