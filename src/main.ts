import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.js';
import { buildApp } from './http/app.js';
import { SimulatedProcessor } from './processor/simulated.js';
import { ensureDefaultAccount, type CreatedAccount } from './services/accounts.js';
import { systemClock, type Services } from './services/context.js';
import { openStore } from './store/store.js';
import {
  WebhookWorker,
  webhookWorkerOptionsFromEnv,
  type WebhookWorkerOptions,
} from './webhooks/delivery.js';

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  /** Base URL the server listens on, e.g. http://127.0.0.1:4242. */
  url: string;
  port: number;
  /** Set when start-up created the default account with random keys (printed once). */
  createdAccount?: CreatedAccount;
  close(): Promise<void>;
}

/** Composition root: config → store (migrated) → services → app → listen. */
export async function startServer(
  config: ServerConfig,
  options: { logger?: boolean; webhooks?: WebhookWorkerOptions & { enabled: boolean } } = {},
): Promise<RunningServer> {
  const store = openStore({ url: config.databaseUrl, durable: config.durable });
  await store.migrate();
  const nowSeconds = Math.floor(Date.now() / 1000);
  const ensured = await ensureDefaultAccount(store, nowSeconds, {
    secretKey: config.secretKey,
    publishableKey: config.publishableKey,
  });

  const services: Services = {
    store,
    clock: systemClock,
    processor: new SimulatedProcessor(),
    fingerprintKey:
      config.fingerprintKey ?? createHash('sha256').update(`payrail:${config.databaseUrl}`).digest('hex'),
    publicUrl: config.publicUrl ?? '',
  };
  const app = await buildApp(services, {
    logger: options.logger === false ? false : { level: config.logLevel },
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${hostForUrl}:${port}`;
  if (!config.publicUrl) services.publicUrl = url;

  // The outbox worker runs in every server unless PAYRAIL_WEBHOOK_WORKER=off (for deployments
  // that run `payrail webhooks work` on its own); several workers may share one database.
  const webhookOptions = options.webhooks ?? webhookWorkerOptionsFromEnv();
  const worker = webhookOptions.enabled
    ? new WebhookWorker(
        store,
        services.clock,
        webhookOptions,
        app.log.child({ module: 'webhooks' }),
      )
    : undefined;
  worker?.start();
  return {
    app,
    services,
    url,
    port,
    createdAccount: ensured?.created && !config.secretKey ? ensured.account : undefined,
    async close() {
      await worker?.stop();
      await app.close();
      await store.close();
    },
  };
}
