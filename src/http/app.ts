import Fastify, { type FastifyInstance } from 'fastify';
import { newId } from '../domain/ids.js';
import type { Services } from '../services/context.js';
import { API_VERSION } from '../services/events.js';
import { registerAuth } from './plugins/auth.js';
import { parseBracketed, registerBodyParsing } from './plugins/body-parsing.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerBalanceRoutes } from './routes/balance.js';
import { registerChargeRoutes } from './routes/charges.js';
import { registerCustomerTransactionRoutes } from './routes/customer-transactions.js';
import { registerCustomerRoutes } from './routes/customers.js';
import { registerPaymentIntentRoutes } from './routes/payment-intents.js';
import { registerPaymentMethodRoutes } from './routes/payment-methods.js';
import { registerRefundRoutes } from './routes/refunds.js';
import { registerThreeDSecureRoutes } from './routes/three-d-secure.js';
import { registerEventRoutes } from './routes/events.js';
import { registerWebhookEndpointRoutes } from './routes/webhook-endpoints.js';
import { REDACTED_PATHS } from './redaction.js';

export interface AppOptions {
  /** pino options, or false for no logging (tests). */
  logger?: boolean | Record<string, unknown>;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes?: number;
}

/** Builds the HTTP application: plugins in order, then one route file per resource. */
export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const logger =
    options.logger === false
      ? false
      : { level: 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, ...(options.logger === true ? {} : options.logger) };
  const app = Fastify({
    logger,
    genReqId: () => newId('req'),
    bodyLimit: options.bodyLimitBytes ?? 256 * 1024,
    routerOptions: {
      querystringParser: (text: string) => parseBracketed(text),
      ignoreTrailingSlash: true,
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    request.receivedAt = Math.floor(services.clock.nowMs() / 1000);
    reply.header('Request-Id', request.id);
    reply.header('Stripe-Version', API_VERSION);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Cache-Control', 'no-cache, no-store');
  });

  // Writes are answered after their sync by the group committer; this holds back answers built
  // from reads (lists, replayed idempotent results) that may show rows of a batch still syncing.
  app.addHook('onSend', async () => {
    await services.store.durable();
  });

  registerErrorHandling(app);
  registerBodyParsing(app);
  registerAuth(app, services.store);
  registerCustomerRoutes(app, services);
  registerBalanceRoutes(app, services);
  registerPaymentMethodRoutes(app, services);
  registerPaymentIntentRoutes(app, services);
  registerChargeRoutes(app, services);
  registerCustomerTransactionRoutes(app, services);
  registerThreeDSecureRoutes(app, services);
  registerRefundRoutes(app, services);
  registerEventRoutes(app, services);
  registerWebhookEndpointRoutes(app, services);
  return app;
}
