import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { routeTable, type RouteEntry } from '../../src/http/route-table.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Hostile input to every route the app has registered (whatever other work has added), bounded
 * to RUNS requests. Whatever arrives: never a 5xx, every refusal in Stripe's error shape, and a
 * refused request leaves every table as it was. idempotency_keys is left out of the comparison
 * because a 4xx answer to a request with a key is stored on purpose (Stripe replays it).
 */
const RUNS = 300;
const SEED = Number(process.env.PAYRAIL_FUZZ_SEED ?? 20261204);

/** encodeURIComponent refuses lone surrogates; they travel as U+FFFD, as a browser sends them. */
const enc = (s: string) =>
  encodeURIComponent(
    s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );

const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '-1',
    '1e309',
    'NaN',
    'null',
    'true',
    '0x10',
    '9'.repeat(40),
    '%00',
    '\u0000',
    '[]',
    '{}',
    '__proto__',
    'constructor',
    '<script>',
    "' OR 1=1 --",
    '../../etc/passwd',
    '\ud800',
  ),
  fc.integer().map(String),
  fc.string({ minLength: 5000, maxLength: 20000 }),
);

const paramName = fc.oneof(
  fc.constantFrom(
    'amount',
    'currency',
    'customer',
    'email',
    'name',
    'metadata',
    'expand',
    'limit',
    'starting_after',
    'ending_before',
    'type',
    'card',
    'payment_method',
    'confirm',
    'description',
    'url',
    'enabled_events',
    'balance',
    'shipping',
    'address',
    'created',
    'id',
    'object',
  ),
  fc.string({ minLength: 1, maxLength: 12 }),
);

/** A bracketed key: name, name[x], name[][y], name[0][a][b]… up to deeper than allowed. */
const bracketKey = fc
  .tuple(
    paramName,
    fc.array(fc.oneof(fc.constant(''), fc.nat(200).map(String), paramName), { maxLength: 9 }),
  )
  .map(([name, parts]) => name + parts.map((p) => `[${p}]`).join(''));

const formBody = fc
  .array(fc.tuple(bracketKey, nasty), { maxLength: 30 })
  .map((pairs) => pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&'));

const manyParams = fc
  .integer({ min: 900, max: 1500 })
  .map((n) => Array.from({ length: n }, (_, i) => `metadata[k${i}]=v`).join('&'));

const deepJson = fc
  .integer({ min: 5, max: 5000 })
  .map((d) => `${'{"metadata":'.repeat(d)}1${'}'.repeat(d)}`);

const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
  fc.dictionary(paramName, fc.jsonValue({ maxDepth: 3 })).map((v) => JSON.stringify(v)),
  deepJson,
  fc.constantFrom('{', '[1,', '{"a":}', 'null', '"x"', '1', '{"__proto__":{"polluted":1}}'),
);

interface Body {
  contentType?: string;
  text?: string;
}

const body: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 5,
    arbitrary: formBody.map((text) => ({ contentType: 'application/x-www-form-urlencoded', text })),
  },
  { weight: 3, arbitrary: jsonBody.map((text) => ({ contentType: 'application/json', text })) },
  {
    weight: 1,
    arbitrary: manyParams.map((text) => ({
      contentType: 'application/x-www-form-urlencoded',
      text,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      contentType: fc.constantFrom(
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
      ),
      text: fc.string({ maxLength: 200 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 250 * 1024, max: 400 * 1024 }).map((n) => ({
      contentType: 'application/x-www-form-urlencoded',
      text: `name=${'a'.repeat(n)}`,
    })),
  },
  { weight: 1, arbitrary: fc.constant({}) },
);

type KeyChoice = 'secret' | 'publishable' | 'none' | 'garbage';
const keyChoice = fc.constantFrom<KeyChoice>(
  'secret',
  'secret',
  'secret',
  'publishable',
  'none',
  'garbage',
);

/** Hashes every row of every table but idempotency_keys. */
async function snapshot(ts: TestServer): Promise<Record<string, string>> {
  const db = ts.server.services.store.db;
  const catalog =
    ts.server.services.store.dialect === 'sqlite'
      ? sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'
          AND name NOT LIKE 'sqlite_%'`
      : sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`;
  const tables = {
    rows: (await catalog.execute(db)).rows.filter(
      ({ name }) => !name.startsWith('kysely_') && name !== 'idempotency_keys',
    ),
  };
  const out: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const rows = await sql`SELECT * FROM ${sql.table(name)} ORDER BY 1`.execute(db);
    out[name] = createHash('sha256').update(JSON.stringify(rows.rows)).digest('hex');
  }
  return out;
}

describe('fuzzing every route', () => {
  let ts: TestServer;
  let routes: RouteEntry[];
  let customerId: string;

  before(async () => {
    ts = await startTestServer();
    routes = routeTable(ts.server.app);
    customerId = (await ts.stripe.customers.create({ email: 'fuzz@example.com' })).id;
  });
  after(() => ts.close());

  it('finds the routes', () => {
    assert.ok(routes.some((r) => r.method === 'POST' && r.url === '/v1/customers'));
  });

  it(`never 5xx, always Stripe's error shape, refusals change nothing (${RUNS} runs)`, async () => {
    const pathValue = fc.oneof(
      fc.constant(customerId),
      fc.constant('cus_missing'),
      nasty.filter((s) => s.length < 300),
    );
    const request = fc.record({
      route: fc.nat(routes.length - 1),
      pathValue,
      query: formBody,
      body,
      key: keyChoice,
      idempotencyKey: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
    });

    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const route = routes[r.route];
        const path = route.url.replace(/:[A-Za-z_]+/g, () => enc(r.pathValue) || 'x');
        const headers: Record<string, string> = {};
        const hasBody =
          route.method !== 'GET' && route.method !== 'DELETE' && route.method !== 'OPTIONS';
        if (hasBody && r.body.contentType) headers['content-type'] = r.body.contentType;
        if (r.idempotencyKey !== undefined && /^[\x20-\x7e]*$/.test(r.idempotencyKey)) {
          headers['idempotency-key'] = r.idempotencyKey;
        }
        const key = {
          secret: ts.secretKey,
          publishable: ts.publishableKey,
          none: null,
          garbage: 'sk_test_garbage',
        }[r.key];

        const before = await snapshot(ts);
        const response = await ts.fetch(`${path}${hasBody ? '' : `?${r.query}`}`, {
          method: route.method,
          headers,
          body: hasBody ? r.body.text : undefined,
          key,
        });
        const text = await response.text();
        const label = `${route.method} ${route.url} -> ${response.status}: ${text.slice(0, 200)}`;
        assert.ok(response.status < 500, label);
        if (response.status >= 400) {
          const parsed = JSON.parse(text);
          assert.equal(typeof parsed.error?.type, 'string', label);
          assert.equal(typeof parsed.error?.message, 'string', label);
          assert.deepEqual(await snapshot(ts), before, `refused but changed: ${label}`);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );

    // Still serving, and the customer made before the storm is intact or deliberately changed.
    assert.equal((await ts.fetch('/v1/account')).status, 200);
  });
});
