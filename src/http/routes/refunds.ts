import type { FastifyInstance } from 'fastify';
import { errors } from '../../domain/errors.js';
import { REFUND_REASONS } from '../../domain/refund.js';
import * as refunds from '../../services/refunds.js';
import { listEnvelope } from '../../wire/list.js';
import { refundToWire } from '../../wire/refunds.js';
import { runMutation } from '../idempotency.js';
import { listParams, p, parseParams } from '../params.js';
import { pageOf, renderList, renderObject, runRead } from '../render.js';
import { callContext } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

const refundFields = {
  amount: p.integer({ min: 1 }),
  reason: p.enum(REFUND_REASONS, { nullable: true }),
  metadata: p.metadata(),
};
const createSpec = {
  ...refundFields,
  charge: p.text({ max: 255 }),
  payment_intent: p.text({ max: 255 }),
};
const updateSpec = { metadata: p.metadata() };
const listSpec = {
  ...listParams,
  charge: p.text({ max: 255 }),
  payment_intent: p.text({ max: 255 }),
  created: p.timestampRange(),
};
const chargeListSpec = { ...listParams, created: p.timestampRange() };

type IdParams = { Params: { id: string } };

/** /v1/refunds and the legacy /v1/charges/:id/refunds. */
export function registerRefundRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const config = { resource: 'refunds' };
  const { store } = deps;

  app.post('/v1/refunds', { config }, async (request, reply) => {
    const params = parseParams(request.body, createSpec);
    return runMutation(store, request, reply, async (tx) => {
      const row = await refunds.createRefund(tx, callContext(request), params);
      return renderObject(tx, request, refundToWire(row), params.expand);
    });
  });

  app.get<IdParams>('/v1/refunds/:id', { config }, async (request, reply) => {
    const params = parseParams(request.query, {});
    return runRead(store, reply, async (tx) => {
      const row = await refunds.retrieveRefund(tx, callContext(request), request.params.id);
      return renderObject(tx, request, refundToWire(row), params.expand);
    });
  });

  app.post<IdParams>('/v1/refunds/:id', { config }, async (request, reply) => {
    const params = parseParams(request.body, updateSpec);
    return runMutation(store, request, reply, async (tx) => {
      const row = await refunds.updateRefund(tx, callContext(request), request.params.id, params);
      return renderObject(tx, request, refundToWire(row), params.expand);
    });
  });

  app.get('/v1/refunds', { config }, async (request, reply) => {
    const params = parseParams(request.query, listSpec);
    return runRead(store, reply, async (tx) => {
      const filter = {
        charge: params.charge,
        paymentIntent: params.payment_intent,
        created: params.created,
      };
      const page = await refunds.listRefunds(tx, callContext(request), filter, pageOf(params));
      const list = listEnvelope('/v1/refunds', page.rows.map(refundToWire), page.hasMore);
      return renderList(tx, request, list, params.expand);
    });
  });

  app.post<IdParams>('/v1/charges/:id/refunds', { config }, async (request, reply) => {
    const params = parseParams(request.body, refundFields);
    return runMutation(store, request, reply, async (tx) => {
      const ctx = callContext(request);
      const charge = await refunds.requireChargeForPath(tx, ctx, request.params.id);
      const row = await refunds.createRefund(tx, ctx, { ...params, charge: charge.id });
      return renderObject(tx, request, refundToWire(row), params.expand);
    });
  });

  app.get<IdParams>('/v1/charges/:id/refunds', { config }, async (request, reply) => {
    const params = parseParams(request.query, chargeListSpec);
    return runRead(store, reply, async (tx) => {
      const ctx = callContext(request);
      const charge = await refunds.requireChargeForPath(tx, ctx, request.params.id);
      const filter = { charge: charge.id, created: params.created };
      const page = await refunds.listRefunds(tx, ctx, filter, pageOf(params));
      const url = `/v1/charges/${charge.id}/refunds`;
      const list = listEnvelope(url, page.rows.map(refundToWire), page.hasMore);
      return renderList(tx, request, list, params.expand);
    });
  });

  app.get<{ Params: { id: string; refund: string } }>(
    '/v1/charges/:id/refunds/:refund',
    { config },
    async (request, reply) => {
      const params = parseParams(request.query, {});
      return runRead(store, reply, async (tx) => {
        const { id, refund } = request.params;
        const row = await refunds.retrieveRefund(tx, callContext(request), refund);
        if (row.charge_id !== id) throw errors.resourceMissing('refund', refund);
        return renderObject(tx, request, refundToWire(row), params.expand);
      });
    },
  );
}
