import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { newId } from '../domain/ids.js';
import type { Services } from '../services/context.js';
import { API_VERSION } from '../services/events.js';
import { createLogger, type LogOptions } from './logging.js';
import { registerAuth } from './plugins/auth.js';
import { parseQueryString, registerBodyParsing } from './plugins/body-parsing.js';
import { registerCors } from './plugins/cors.js';
import {
  answerClientError,
  answerFrameworkError,
  registerErrorHandling,
} from './plugins/errors.js';
import { registerRateLimit, type RateLimitOptions } from './plugins/rate-limit.js';
import { registerRequestLog } from './plugins/request-log.js';
import { registerSecurityHeaders } from './plugins/security-headers.js';
import { registerAccountRoutes } from './routes/account.js';
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
import { trackRoutes } from './route-table.js';

export interface AppOptions {
  /** Logging options, or false for no logging (tests). */
  logger?: false | LogOptions;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes?: number;
  /** Largest total of request headers, in bytes (Node's maxHeaderSize). */
  maxHeaderBytes?: number;
  /** PEM certificate and key: the server speaks HTTPS (HTTP/1.1) only. */
  https?: { cert: string | Buffer; key: string | Buffer };
  /** Believe X-Forwarded-For/-Proto (request.ip, request.protocol) from the peer. */
  trustProxy?: boolean;
  /** Rate limits; none when absent. */
  rateLimit?: RateLimitOptions;
}

/** Builds the HTTP application: plugins in order, then one route file per resource. */
export async function buildApp(
  services: Services,
  options: AppOptions = {},
): Promise<FastifyInstance> {
  const maxHeaderSize = options.maxHeaderBytes ?? 16 * 1024;
  // One instance type whatever the server (http or https) and logger: the routes need no more.
  const app = Fastify({
    ...(options.logger === false
      ? { logger: false }
      : { loggerInstance: createLogger(options.logger ?? {}) }),
    ...(options.https
      ? { https: { ...options.https, maxHeaderSize } }
      : { http: { maxHeaderSize } }),
    // Our own completion line (request-log.ts) replaces Fastify's two lines per request.
    logController: new LogController({
      requestIdLogLabel: 'request_id',
      disableRequestLogging: true,
    }),
    trustProxy: options.trustProxy ?? false,
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    genReqId: () => newId('req'),
    bodyLimit: options.bodyLimitBytes ?? 256 * 1024,
    routerOptions: {
      querystringParser: parseQueryString,
      ignoreTrailingSlash: true,
      // Ids are far shorter; a longer path segment is refused in Stripe's shape (see errors.ts).
      maxParamLength: 255,
    },
  } as FastifyServerOptions) as unknown as FastifyInstance;

  trackRoutes(app);
  app.addHook('onRequest', async (request, reply) => {
    request.receivedAt = Math.floor(services.clock.nowMs() / 1000);
    reply.header('Request-Id', request.id);
    reply.header('Stripe-Version', API_VERSION);
    reply.header('Cache-Control', 'no-cache, no-store');
  });

  // Order matters: the rate limiter's preHandler keys on the key auth found, and both run
  // before any handler, so before idempotency claims a key.
  registerSecurityHeaders(app);
  registerCors(app);
  registerRequestLog(app);

  // Writes are answered after their sync by the group committer; this holds back answers built
  // from reads (lists, replayed idempotent results) that may show rows of a batch still syncing.
  app.addHook('onSend', async () => {
    await services.store.durable();
  });

  registerErrorHandling(app);
  registerBodyParsing(app);
  registerAuth(app, services.store);
  if (options.rateLimit) registerRateLimit(app, options.rateLimit);
  registerAccountRoutes(app, services);
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
