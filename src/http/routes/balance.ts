import type { FastifyInstance } from 'fastify';
import { parseCurrency } from '../../domain/money.js';
import * as balance from '../../services/balance.js';
import { balanceTransactionToWire } from '../../wire/balance-transactions.js';
import { listEnvelope } from '../../wire/list.js';
import { listParams, p, parseParams } from '../params.js';
import { pageOf, renderList, renderObject, runRead } from '../render.js';
import { callContext } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

const listSpec = {
  ...listParams,
  type: p.text({ max: 100 }),
  source: p.text({ max: 255 }),
  currency: p.text({ max: 3 }),
  created: p.timestampRange(),
};

/** GET /v1/balance and the balance transactions, which are read-only. */
export function registerBalanceRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { store } = deps;

  app.get('/v1/balance', { config: { resource: 'balance' } }, async (request, reply) => {
    parseParams(request.query, {});
    // Two sums checked against each other: both must read the same committed state, or a
    // write committing between them (another request, another process) fails the check.
    const body = await store.snapshot((tx) => balance.retrieveBalance(tx, callContext(request)));
    return reply.status(200).send(body);
  });

  const config = { resource: 'balance_transactions' };
  app.get<{ Params: { id: string } }>(
    '/v1/balance_transactions/:id',
    { config },
    async (request, reply) => {
      const params = parseParams(request.query, {});
      return runRead(store, reply, async (tx) => {
        const ctx = callContext(request);
        const row = await balance.retrieveBalanceTransaction(tx, ctx, request.params.id);
        return renderObject(tx, request, balanceTransactionToWire(row, ctx.now), params.expand);
      });
    },
  );

  app.get('/v1/balance_transactions', { config }, async (request, reply) => {
    const params = parseParams(request.query, listSpec);
    const currency = params.currency && parseCurrency(params.currency);
    return runRead(store, reply, async (tx) => {
      const ctx = callContext(request);
      const filter = {
        type: params.type,
        source: params.source,
        currency,
        created: params.created,
      };
      const page = await balance.listBalanceTransactions(tx, ctx, filter, pageOf(params));
      const data = page.rows.map((row) => balanceTransactionToWire(row, ctx.now));
      const list = listEnvelope('/v1/balance_transactions', data, page.hasMore);
      return renderList(tx, request, list, params.expand);
    });
  });
}
