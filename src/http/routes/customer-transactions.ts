import type { FastifyInstance } from 'fastify';
import { parseCurrency } from '../../domain/money.js';
import { listCustomerHistory } from '../../services/customer-transactions.js';
import { customerTransactionToWire } from '../../wire/customer-transactions.js';
import { listEnvelope } from '../../wire/list.js';
import { listParams, p, parseParams } from '../params.js';
import { pageOf, renderList, runRead } from '../render.js';
import { callContext } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

const listSpec = {
  ...listParams,
  type: p.enum(['payment', 'refund'] as const),
  status: p.enum(['succeeded', 'pending', 'failed', 'canceled'] as const),
  currency: p.text({ max: 3 }),
  created: p.timestampRange(),
};

export function registerCustomerTransactionRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const config = { resource: 'customers' };
  const { store } = deps;

  app.get<{ Params: { id: string } }>(
    '/v1/customers/:id/transactions',
    { config },
    async (request, reply) => {
      const params = parseParams(request.query, listSpec);
      const currency = params.currency ? parseCurrency(params.currency) : undefined;
      return runRead(store, reply, async (tx) => {
        const { id } = request.params;
        const filter = {
          type: params.type ?? undefined,
          status: params.status ?? undefined,
          currency,
          created: params.created,
        };
        const page = await listCustomerHistory(
          tx,
          callContext(request),
          id,
          filter,
          pageOf(params),
        );
        const url = `/v1/customers/${id}/transactions`;
        const list = listEnvelope(url, page.rows.map(customerTransactionToWire), page.hasMore);
        return renderList(tx, request, list, params.expand);
      });
    },
  );
}
