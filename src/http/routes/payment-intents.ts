import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, errors } from '../../domain/errors.js';
import * as confirm from '../../services/confirm-payment-intent.js';
import * as settlement from '../../services/payment-intent-settlement.js';
import * as intents from '../../services/payment-intents.js';
import type { AttemptResult } from '../../services/payment-attempts.js';
import { clientSecretMatches } from '../../services/three-d-secure.js';
import type { PaymentIntentRow } from '../../store/repositories/payment-intents.js';
import type { Tx } from '../../store/schema.js';
import { listEnvelope } from '../../wire/list.js';
import {
  paymentIntentToPublishableWire,
  paymentIntentToWire,
  publishableView,
} from '../../wire/payment-intents.js';
import { withCardDigests } from '../card-params.js';
import type { Outcome } from '../idempotency.js';
import { runMutation } from '../idempotency.js';
import { parseParams } from '../params.js';
import { pageOf, renderList, renderObject, runRead } from '../render.js';
import { callContext } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import {
  cancelSpec,
  captureSpec,
  confirmSpec,
  createSpec,
  updateSpec,
  listSpec,
  retrieveSpec,
} from './payment-intent-params.js';

type WithId = { Params: { id: string } };

const isPublishable = (request: FastifyRequest) => request.apiKey?.kind === 'publishable';

/**
 * §11: a publishable key must prove the intent with its client secret (a secret key may too),
 * and may confirm only automatically confirmed intents.
 */
function checkClientSecret(
  request: FastifyRequest,
  intent: PaymentIntentRow,
  clientSecret: string | undefined,
  confirming: boolean,
): void {
  if (clientSecret === undefined) {
    if (isPublishable(request)) throw errors.parameterMissing('client_secret');
    return;
  }
  if (!clientSecretMatches(intent, clientSecret)) {
    throw errors.invalidRequest(
      'The client_secret provided does not match the client_secret associated with the ' +
        'PaymentIntent.',
      'client_secret',
    );
  }
  if (confirming && isPublishable(request) && intent.confirmation_method === 'manual') {
    throw errors.invalidRequest(
      "This PaymentIntent's confirmation_method is manual, so it can only be confirmed with a " +
        'secret key.',
      'client_secret',
    );
  }
}

/** The intent as this caller may see it: reduced for publishable keys (§3.4). */
function intentWire(request: FastifyRequest, row: PaymentIntentRow) {
  return isPublishable(request) ? paymentIntentToPublishableWire(row) : paymentIntentToWire(row);
}

/**
 * Runs `work`, and for publishable keys reduces the intent an error carries (unexpected state
 * errors include it) to what those keys may see.
 */
async function withCallerView<T>(request: FastifyRequest, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const intent = error instanceof ApiError ? error.extra?.payment_intent : undefined;
    if (!isPublishable(request) || !intent || !(error instanceof ApiError)) throw error;
    throw new ApiError({
      type: error.type,
      status: error.status,
      code: error.code,
      param: error.param,
      message: error.message,
      decline_code: error.declineCode,
      extra: { ...error.extra, payment_intent: publishableView(intent as Record<string, unknown>) },
    });
  }
}

/** 200 with the intent, or the committed decline as a 402 card error (§4.5). */
async function attemptOutcome(
  tx: Tx,
  request: FastifyRequest,
  result: AttemptResult,
  expand: string[] | undefined,
): Promise<Outcome> {
  const wire = intentWire(request, result.intent);
  if (result.declineBody) {
    return { status: 402, body: { error: { ...result.declineBody.error, payment_intent: wire } } };
  }
  return renderObject(tx, request, wire, expand);
}

export function registerPaymentIntentRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const config = { resource: 'payment_intents' };
  const publishable = { ...config, auth: 'publishable' as const };
  const { store } = deps;

  app.post('/v1/payment_intents', { config }, async (request, reply) => {
    const params = parseParams(request.body, createSpec);
    const ctx = callContext(request);
    return runMutation(
      store,
      request,
      reply,
      async (tx, plan) => {
        const result = await intents.createPaymentIntent(tx, ctx, deps, plan);
        return attemptOutcome(tx, request, result, params.expand);
      },
      {
        prepare: () => intents.planCreate(deps, ctx, params as intents.PaymentIntentInput),
        fingerprintParams: withCardDigests(request.body, deps.fingerprintKey),
      },
    );
  });

  app.get<WithId>('/v1/payment_intents/:id', { config: publishable }, async (request, reply) => {
    const params = parseParams(request.query, retrieveSpec);
    return runRead(store, reply, async (tx) => {
      const row = await intents.retrievePaymentIntent(tx, callContext(request), request.params.id);
      checkClientSecret(request, row, params.client_secret, false);
      return renderObject(tx, request, intentWire(request, row), params.expand);
    });
  });

  app.post<WithId>('/v1/payment_intents/:id', { config }, async (request, reply) => {
    const params = parseParams(request.body, updateSpec);
    return runMutation(store, request, reply, async (tx) => {
      const input = params as intents.PaymentIntentInput;
      const row = await intents.updatePaymentIntent(
        tx,
        callContext(request),
        deps,
        request.params.id,
        input,
      );
      return renderObject(tx, request, paymentIntentToWire(row), params.expand);
    });
  });

  app.post<WithId>(
    '/v1/payment_intents/:id/confirm',
    { config: publishable },
    async (request, reply) => {
      const params = parseParams(request.body, confirmSpec);
      const ctx = callContext(request);
      const { client_secret: clientSecret, ...input } = params;
      const plan = async () => {
        const intent = await confirm.requirePaymentIntent(
          store.db,
          ctx.accountId,
          request.params.id,
        );
        checkClientSecret(request, intent, clientSecret ?? undefined, true);
        return withCallerView(request, () =>
          confirm.planConfirm(deps, ctx, request.params.id, input as confirm.ConfirmInput),
        );
      };
      return runMutation(
        store,
        request,
        reply,
        async (tx, prepared) => {
          const result = await withCallerView(request, () =>
            confirm.confirmPaymentIntent(tx, ctx, deps, prepared),
          );
          return attemptOutcome(tx, request, result, params.expand);
        },
        { prepare: plan, fingerprintParams: withCardDigests(request.body, deps.fingerprintKey) },
      );
    },
  );

  app.post<WithId>('/v1/payment_intents/:id/capture', { config }, async (request, reply) => {
    const params = parseParams(request.body, captureSpec);
    return runMutation(store, request, reply, async (tx) => {
      const row = await settlement.capturePaymentIntent(
        tx,
        callContext(request),
        request.params.id,
        params,
      );
      return renderObject(tx, request, paymentIntentToWire(row), params.expand);
    });
  });

  app.post<WithId>('/v1/payment_intents/:id/cancel', { config }, async (request, reply) => {
    const params = parseParams(request.body, cancelSpec);
    return runMutation(store, request, reply, async (tx) => {
      const row = await settlement.cancelPaymentIntent(
        tx,
        callContext(request),
        request.params.id,
        params,
      );
      return renderObject(tx, request, paymentIntentToWire(row), params.expand);
    });
  });

  app.get('/v1/payment_intents', { config }, async (request, reply) => {
    const params = parseParams(request.query, listSpec);
    return runRead(store, reply, async (tx) => {
      const filter = { customer: params.customer, created: params.created };
      const page = await intents.listPaymentIntents(
        tx,
        callContext(request),
        filter,
        pageOf(params),
      );
      const data = page.rows.map(paymentIntentToWire);
      const list = listEnvelope('/v1/payment_intents', data, page.hasMore);
      return renderList(tx, request, list, params.expand);
    });
  });
}
