import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as paymentMethods from '../../services/payment-methods.js';
import type { PaymentMethodRow } from '../../services/payment-methods.js';
import { paymentMethodToWire } from '../../wire/payment-methods.js';
import { listEnvelope } from '../../wire/list.js';
import type { Tx } from '../../store/schema.js';
import { withCardDigests } from '../card-params.js';
import { runMutation } from '../idempotency.js';
import { listParams, addressParam, p, parseParams, type Parsed } from '../params.js';
import { pageOf, renderList, renderObject, runRead } from '../render.js';
import { callContext } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

const billingDetails = p.object({
  address: addressParam,
  email: p.string({ max: 800 }),
  name: p.string({ max: 256 }),
  phone: p.string({ max: 40 }),
});

/** Card fields are read loosely here: their real checks are card errors (402), not 400s. */
const createSpec = {
  type: p.required(p.enum(['card'] as const)),
  card: p.object({
    number: p.text({ max: 64 }),
    exp_month: p.integer(),
    exp_year: p.integer(),
    cvc: p.text({ max: 16 }),
    token: p.text({ max: 255 }),
  }),
  billing_details: billingDetails,
  metadata: p.metadata(),
};

const updateSpec = {
  billing_details: billingDetails,
  card: p.object({ exp_month: p.integer(), exp_year: p.integer() }),
  metadata: p.metadata(),
};

const listSpec = { ...listParams, type: p.text({ max: 64 }) };
const listByQuerySpec = { ...listSpec, customer: p.required(p.text({ max: 255 })) };

/** Publishable keys (browsers) never see metadata, as on Stripe. */
function toWire(request: FastifyRequest, row: PaymentMethodRow): Record<string, unknown> {
  const wire = paymentMethodToWire(row);
  if (request.apiKey?.kind === 'publishable') delete wire.metadata;
  return wire;
}

export function registerPaymentMethodRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const config = { resource: 'payment_methods' };
  const { store } = deps;
  type WithId = { Params: { id: string } };

  app.post(
    '/v1/payment_methods',
    { config: { ...config, auth: 'publishable' } },
    async (request, reply) => {
      const params = parseParams(request.body, createSpec);
      // The idempotency fingerprint must not be a plain hash of the card number.
      const fingerprintParams = withCardDigests(request.body, deps.fingerprintKey);
      const work = async (tx: Tx) => {
        const input = params as paymentMethods.PaymentMethodInput;
        const row = await paymentMethods.createPaymentMethod(tx, callContext(request), deps, input);
        return renderObject(tx, request, toWire(request, row), params.expand);
      };
      return runMutation(store, request, reply, work, { fingerprintParams });
    },
  );

  app.get<WithId>('/v1/payment_methods/:id', { config }, async (request, reply) => {
    const params = parseParams(request.query, {});
    return runRead(store, reply, async (tx) => {
      const row = await paymentMethods.retrievePaymentMethod(
        tx,
        callContext(request),
        request.params.id,
      );
      return renderObject(tx, request, toWire(request, row), params.expand);
    });
  });

  app.post<WithId>('/v1/payment_methods/:id', { config }, async (request, reply) => {
    const params = parseParams(request.body, updateSpec);
    return runMutation(store, request, reply, async (tx) => {
      const ctx = callContext(request);
      const input = params as paymentMethods.PaymentMethodUpdate;
      const row = await paymentMethods.updatePaymentMethod(tx, ctx, request.params.id, input);
      return renderObject(tx, request, toWire(request, row), params.expand);
    });
  });

  app.post<WithId>('/v1/payment_methods/:id/attach', { config }, async (request, reply) => {
    const params = parseParams(request.body, { customer: p.required(p.text({ max: 255 })) });
    return runMutation(store, request, reply, async (tx) => {
      const ctx = callContext(request);
      const row = await paymentMethods.attachPaymentMethod(
        tx,
        ctx,
        deps,
        request.params.id,
        params.customer!,
      );
      return renderObject(tx, request, toWire(request, row), params.expand);
    });
  });

  app.post<WithId>('/v1/payment_methods/:id/detach', { config }, async (request, reply) => {
    const params = parseParams(request.body, {});
    return runMutation(store, request, reply, async (tx) => {
      const row = await paymentMethods.detachPaymentMethod(
        tx,
        callContext(request),
        request.params.id,
      );
      return renderObject(tx, request, toWire(request, row), params.expand);
    });
  });

  // Stripe lists a customer's payment methods by query parameter and by path.
  const list = (
    request: FastifyRequest,
    reply: FastifyReply,
    customer: { id: string; param: string },
    params: Parsed<typeof listSpec>,
    url: string,
  ) =>
    runRead(store, reply, async (tx) => {
      const page = await paymentMethods.listPaymentMethods(
        tx,
        callContext(request),
        { customer: customer.id, type: params.type },
        pageOf(params),
        customer.param,
      );
      const data = page.rows.map((row) => toWire(request, row));
      return renderList(tx, request, listEnvelope(url, data, page.hasMore), params.expand);
    });

  app.get('/v1/payment_methods', { config }, async (request, reply) => {
    const params = parseParams(request.query, listByQuerySpec);
    const customer = { id: params.customer!, param: 'customer' };
    return list(request, reply, customer, params, '/v1/payment_methods');
  });

  app.get<WithId>('/v1/customers/:id/payment_methods', { config }, async (request, reply) => {
    const params = parseParams(request.query, listSpec);
    const customer = { id: request.params.id, param: 'id' };
    return list(request, reply, customer, params, `/v1/customers/${customer.id}/payment_methods`);
  });
}
