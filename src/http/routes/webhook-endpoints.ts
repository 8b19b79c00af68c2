import type { FastifyInstance } from 'fastify';
import * as endpoints from '../../services/webhook-endpoints.js';
import { listEnvelope } from '../../wire/list.js';
import { webhookDeliveryToWire, webhookEndpointToWire } from '../../wire/webhook-endpoints.js';
import { runMutation } from '../idempotency.js';
import { listParams, p, parseParams } from '../params.js';
import { pageOf, renderList, renderObject, runRead } from '../render.js';
import { callContext } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

const updateSpec = {
  url: p.text({ max: 2048 }),
  enabled_events: p.array(p.text({ max: 200 }), { max: 100 }),
  description: p.string({ max: 5000 }),
  metadata: p.metadata(),
  disabled: p.boolean(),
};
const createSpec = {
  ...updateSpec,
  url: p.required(updateSpec.url),
  enabled_events: p.required(updateSpec.enabled_events),
  api_version: p.string({ max: 50 }),
  // Stripe's Connect flag; Payrail has no connected accounts, so it changes nothing.
  connect: p.boolean(),
};

export function registerWebhookEndpointRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const config = { resource: 'webhook_endpoints' };
  const { store } = deps;

  app.post('/v1/webhook_endpoints', { config }, async (request, reply) => {
    const params = parseParams(request.body, createSpec);
    return runMutation(store, request, reply, async (tx) => {
      const row = await endpoints.createWebhookEndpoint(tx, callContext(request), params);
      return renderObject(tx, request, webhookEndpointToWire(row, true), params.expand);
    });
  });

  app.get<{ Params: { id: string } }>(
    '/v1/webhook_endpoints/:id',
    { config },
    async (request, reply) => {
      const params = parseParams(request.query, {});
      return runRead(store, reply, async (tx) => {
        const ctx = callContext(request);
        const row = await endpoints.retrieveWebhookEndpoint(tx, ctx, request.params.id);
        return renderObject(tx, request, webhookEndpointToWire(row), params.expand);
      });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/webhook_endpoints/:id',
    { config },
    async (request, reply) => {
      const params = parseParams(request.body, updateSpec);
      return runMutation(store, request, reply, async (tx) => {
        const ctx = callContext(request);
        const row = await endpoints.updateWebhookEndpoint(tx, ctx, request.params.id, params);
        return renderObject(tx, request, webhookEndpointToWire(row), params.expand);
      });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/webhook_endpoints/:id',
    { config },
    async (request, reply) => {
      parseParams(request.query, {});
      return runMutation(store, request, reply, async (tx) => {
        const body = await endpoints.deleteWebhookEndpoint(
          tx,
          callContext(request),
          request.params.id,
        );
        return { status: 200, body };
      });
    },
  );

  app.get('/v1/webhook_endpoints', { config }, async (request, reply) => {
    const params = parseParams(request.query, listParams);
    return runRead(store, reply, async (tx) => {
      const page = await endpoints.listWebhookEndpoints(tx, callContext(request), pageOf(params));
      const data = page.rows.map((row) => webhookEndpointToWire(row));
      const list = listEnvelope('/v1/webhook_endpoints', data, page.hasMore);
      return renderList(tx, request, list, params.expand);
    });
  });

  // Payrail extension (docs/webhooks.md): what was sent to an endpoint, and how it answered.
  const deliveriesSpec = { ...listParams, event: p.text({ max: 255 }) };
  app.get<{ Params: { id: string } }>(
    '/v1/webhook_endpoints/:id/deliveries',
    { config },
    async (request, reply) => {
      const params = parseParams(request.query, deliveriesSpec);
      const id = request.params.id;
      return runRead(store, reply, async (tx) => {
        const ctx = callContext(request);
        const page = await endpoints.listEndpointDeliveries(
          tx,
          ctx,
          id,
          params.event,
          pageOf(params),
        );
        const data = page.rows.map((row) =>
          webhookDeliveryToWire(row, page.attempts.get(row.id) ?? []),
        );
        const url = `/v1/webhook_endpoints/${id}/deliveries`;
        return renderList(tx, request, listEnvelope(url, data, page.hasMore), params.expand);
      });
    },
  );
}
