import type { FastifyInstance } from 'fastify';
import * as charges from '../../services/charges.js';
import { chargeToWire } from '../../wire/charges.js';
import { listEnvelope } from '../../wire/list.js';
import { runMutation } from '../idempotency.js';
import { listParams, p, parseParams } from '../params.js';
import { pageOf, renderList, renderObject, runRead } from '../render.js';
import { callContext } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

type WithId = { Params: { id: string } };

const updateSpec = { description: p.string({ max: 1000 }), metadata: p.metadata() };

const listSpec = {
  ...listParams,
  customer: p.text({ max: 255 }),
  payment_intent: p.text({ max: 255 }),
  created: p.timestampRange(),
};

/** Charges are made by payment intents; the API reads them and edits their descriptions. */
export function registerChargeRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const config = { resource: 'charges' };
  const { store } = deps;

  app.get<WithId>('/v1/charges/:id', { config }, async (request, reply) => {
    const params = parseParams(request.query, {});
    return runRead(store, reply, async (tx) => {
      const row = await charges.retrieveCharge(tx, callContext(request), request.params.id);
      return renderObject(tx, request, chargeToWire(row), params.expand);
    });
  });

  app.post<WithId>('/v1/charges/:id', { config }, async (request, reply) => {
    const params = parseParams(request.body, updateSpec);
    return runMutation(store, request, reply, async (tx) => {
      const ctx = callContext(request);
      const row = await charges.updateCharge(tx, ctx, request.params.id, params);
      return renderObject(tx, request, chargeToWire(row), params.expand);
    });
  });

  app.get('/v1/charges', { config }, async (request, reply) => {
    const params = parseParams(request.query, listSpec);
    return runRead(store, reply, async (tx) => {
      const filter = {
        customer: params.customer,
        paymentIntent: params.payment_intent,
        created: params.created,
      };
      const page = await charges.listCharges(tx, callContext(request), filter, pageOf(params));
      const list = listEnvelope('/v1/charges', page.rows.map(chargeToWire), page.hasMore);
      return renderList(tx, request, list, params.expand);
    });
  });
}
