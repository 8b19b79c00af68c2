import type { FastifyInstance } from 'fastify';
import { errors } from '../../domain/errors.js';
import * as events from '../../services/events.js';
import { listEnvelope } from '../../wire/list.js';
import { runMutation } from '../idempotency.js';
import { listParams, p, parseParams } from '../params.js';
import { pageOf, renderList, renderObject, runRead } from '../render.js';
import { callContext } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

const MAX_TYPES = 20;
const typeField = p.text({ max: 200, pattern: /^[a-z0-9_.*]+$/ });

const listSpec = {
  ...listParams,
  type: typeField,
  types: p.array(typeField, { max: MAX_TYPES }),
  created: p.timestampRange(),
  delivery_success: p.boolean(),
};

export function registerEventRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const config = { resource: 'events' };
  const { store } = deps;

  app.get('/v1/events', { config }, async (request, reply) => {
    const params = parseParams(request.query, listSpec);
    if (params.type !== undefined && params.types !== undefined) {
      throw errors.parametersExclusive('type', 'types');
    }
    const types = params.type ? [params.type] : (params.types ?? undefined);
    return runRead(store, reply, async (tx) => {
      const page = await events.listEvents(
        tx,
        callContext(request),
        { types, created: params.created, deliverySuccess: params.delivery_success },
        pageOf(params),
      );
      const list = listEnvelope('/v1/events', page.data, page.hasMore);
      return renderList(tx, request, list, params.expand);
    });
  });

  app.get<{ Params: { id: string } }>('/v1/events/:id', { config }, async (request, reply) => {
    const params = parseParams(request.query, {});
    return runRead(store, reply, async (tx) => {
      const event = await events.retrieveEvent(tx, callContext(request), request.params.id);
      return renderObject(tx, request, event, params.expand);
    });
  });

  // Payrail extension (docs/webhooks.md): deliver an event again.
  const resendSpec = { webhook_endpoint: p.text({ max: 255 }) };
  app.post<{ Params: { id: string } }>(
    '/v1/events/:id/resend',
    { config },
    async (request, reply) => {
      const params = parseParams(request.body, resendSpec);
      return runMutation(store, request, reply, async (tx) => {
        const event = await events.resendEvent(
          tx,
          callContext(request),
          request.params.id,
          params.webhook_endpoint,
        );
        return renderObject(tx, request, event, params.expand);
      });
    },
  );
}
