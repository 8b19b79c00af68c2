import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../domain/errors.js';
import type { CallContext } from '../../services/context.js';
import {
  completeAuthentication,
  findIntentForAuthentication,
  planAuthentication,
} from '../../services/three-d-secure.js';
import type { PaymentIntentRow } from '../../store/repositories/payment-intents.js';
import {
  PAGE_SECURITY_POLICY,
  renderAuthenticationDone,
  renderAuthenticationPage,
} from '../../web/three-d-secure.js';
import { p, parseParams } from '../params.js';
import type { RouteDeps } from '../route-deps.js';

type WithId = { Params: { id: string } };

const pageSpec = { client_secret: p.required(p.text({ max: 255 })) };
const answerSpec = {
  ...pageSpec,
  action: p.required(p.enum(['complete', 'fail'] as const)),
};

function sendHtml(reply: FastifyReply, html: string) {
  return reply
    .header('Content-Security-Policy', PAGE_SECURITY_POLICY)
    .type('text/html; charset=utf-8')
    .send(html);
}

/** The payer's browser has no API key: the intent's account is the caller. */
function pageContext(request: FastifyRequest, intent: PaymentIntentRow): CallContext {
  return { accountId: intent.account_id, requestId: request.id, now: request.receivedAt };
}

/** Back to the merchant with Stripe's query parameters, or a page saying it is done. */
function finish(reply: FastifyReply, intent: PaymentIntentRow) {
  if (!intent.return_url)
    return sendHtml(reply, renderAuthenticationDone(intent.id, intent.status));
  const target = new URL(intent.return_url);
  target.searchParams.set('payment_intent', intent.id);
  target.searchParams.set('payment_intent_client_secret', intent.client_secret);
  const succeeded = ['succeeded', 'requires_capture', 'requires_confirmation'];
  target.searchParams.set(
    'redirect_status',
    succeeded.includes(intent.status) ? 'succeeded' : 'failed',
  );
  return reply.redirect(target.toString(), 302);
}

/**
 * GET shows the test challenge for an intent waiting for 3-D Secure; POST (its forms) completes
 * or fails it. Authenticated by the client secret in the URL or form, like Stripe's hosted page.
 */
export function registerThreeDSecureRoutes(app: FastifyInstance, deps: RouteDeps): void {
  // Shown in a frame of the merchant's checkout on this origin: SAMEORIGIN, not DENY.
  const config = { auth: 'none' as const, frame: 'sameorigin' as const };
  const { store } = deps;

  app.get<WithId>('/v1/3ds/:id', { config }, async (request, reply) => {
    const { client_secret: clientSecret } = parseParams(request.query, pageSpec);
    const intent = await findIntentForAuthentication(store.db, request.params.id, clientSecret);
    if (intent.status !== 'requires_action') {
      return sendHtml(reply, renderAuthenticationDone(intent.id, intent.status));
    }
    const html = renderAuthenticationPage({
      intentId: intent.id,
      clientSecret: clientSecret!,
      amount: intent.amount,
      currency: intent.currency,
      formAction: `/v1/3ds/${intent.id}`,
    });
    return sendHtml(reply, html);
  });

  app.post<WithId>('/v1/3ds/:id', { config }, async (request, reply) => {
    const params = parseParams(request.body, answerSpec);
    const intent = await findIntentForAuthentication(
      store.db,
      request.params.id,
      params.client_secret!,
    );
    const ctx = pageContext(request, intent);
    try {
      const plan = await planAuthentication(deps, ctx, intent, params.action!);
      const result = await store.transaction((tx) => completeAuthentication(tx, ctx, deps, plan));
      return finish(reply, result.intent);
    } catch (error) {
      // A second submit (another tab, a double click) finds the work done: show where it stands.
      if (!(error instanceof ApiError) || error.code !== 'payment_intent_unexpected_state')
        throw error;
      const current = await findIntentForAuthentication(store.db, intent.id, params.client_secret!);
      return sendHtml(reply, renderAuthenticationDone(current.id, current.status));
    }
  });
}
