import type { FastifyInstance } from 'fastify';
import * as customers from '../../services/customers.js';
import { customerToWire } from '../../wire/customers.js';
import { listEnvelope } from '../../wire/list.js';
import { listParams, addressParam, p, parseParams } from '../params.js';
import type { RouteDeps } from '../route-deps.js';
import { pageOf, renderList, renderObject, runRead } from '../render.js';
import { callContext } from '../request-context.js';
import { runMutation } from '../idempotency.js';

const address = addressParam;

const customerFields = {
  email: p.string({ max: 512 }),
  name: p.string({ max: 256 }),
  phone: p.string({ max: 20 }),
  description: p.string({ max: 350 }),
  address,
  shipping: p.object({
    address: p.required(address),
    name: p.required(p.text({ max: 256 })),
    phone: p.string({ max: 20 }),
  }),
  metadata: p.metadata(),
  balance: p.integer(),
  preferred_locales: p.array(p.text({ max: 20 }), { max: 10 }),
  tax_exempt: p.enum(['none', 'exempt', 'reverse'] as const, { nullable: true }),
  invoice_settings: p.object({ default_payment_method: p.string({ max: 255 }) }),
};

const listSpec = { ...listParams, email: p.text({ max: 512 }), created: p.timestampRange() };

export function registerCustomerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const config = { resource: 'customers' };
  const { store } = deps;

  app.post('/v1/customers', { config }, async (request, reply) => {
    const params = parseParams(request.body, customerFields);
    return runMutation(store, request, reply, async (tx) => {
      const row = await customers.createCustomer(
        tx,
        callContext(request),
        params as customers.CustomerInput,
      );
      return renderObject(tx, request, customerToWire(row), params.expand);
    });
  });

  app.get<{ Params: { id: string } }>('/v1/customers/:id', { config }, async (request, reply) => {
    const params = parseParams(request.query, {});
    return runRead(store, reply, async (tx) => {
      const row = await customers.retrieveCustomer(tx, callContext(request), request.params.id);
      return renderObject(tx, request, customerToWire(row), params.expand);
    });
  });

  // POST is Stripe's update; PUT with a JSON body is Payrail's extension for REST clients.
  for (const method of ['POST', 'PUT'] as const) {
    app.route<{ Params: { id: string } }>({
      method,
      url: '/v1/customers/:id',
      config,
      handler: async (request, reply) => {
        const params = parseParams(request.body, customerFields);
        return runMutation(store, request, reply, async (tx) => {
          const row = await customers.updateCustomer(
            tx,
            callContext(request),
            request.params.id,
            params as customers.CustomerInput,
          );
          return renderObject(tx, request, customerToWire(row), params.expand);
        });
      },
    });
  }

  app.delete<{ Params: { id: string } }>(
    '/v1/customers/:id',
    { config },
    async (request, reply) => {
      parseParams(request.query, {});
      return runMutation(store, request, reply, async (tx) => {
        const body = await customers.deleteCustomer(tx, callContext(request), request.params.id);
        return { status: 200, body };
      });
    },
  );

  app.get('/v1/customers', { config }, async (request, reply) => {
    const params = parseParams(request.query, listSpec);
    return runRead(store, reply, async (tx) => {
      const page = await customers.listCustomers(
        tx,
        callContext(request),
        { email: params.email, created: params.created },
        pageOf(params),
      );
      const data = page.rows.map(customerToWire);
      return renderList(
        tx,
        request,
        listEnvelope('/v1/customers', data, page.hasMore),
        params.expand,
      );
    });
  });
}
