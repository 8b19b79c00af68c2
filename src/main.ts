import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.js';
import { buildApp } from './http/app.js';
import { SimulatedProcessor } from './processor/simulated.js';
import { ensureDefaultAccount, type CreatedAccount } from './services/accounts.js';
import { systemClock, type Services } from './services/context.js';
import { openStore, type Store } from './store/store.js';
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

export interface StartOptions {
  logger?: boolean;
  /**
   * Skip migrations and the default-account step: a `--workers` child, whose primary ran them
   * once before forking.
   */
  skipPrepare?: boolean;
  /** Webhook worker settings; read from the environment when not given. */
  webhooks?: WebhookWorkerOptions & { enabled: boolean };
}

/** The store the configuration names, with its PostgreSQL pool settings. */
export function openConfiguredStore(config: ServerConfig): Store {
  return openStore({
    url: config.databaseUrl,
    durable: config.durable,
    poolSize: config.poolSize,
    statementTimeoutMs: config.statementTimeoutMs,
  });
}

/**
 * The start-up steps that belong to the database rather than to a process: migrations and the
 * default account. They run under the store's start-up lock, so processes starting together on
 * one PostgreSQL database take turns, and the later ones find the work done. Returns the account
 * when it was created with random keys (to print once).
 */
export async function prepareDatabase(
  store: Store,
  config: ServerConfig,
): Promise<CreatedAccount | undefined> {
  return store.withStartupLock(async () => {
    await store.migrate();
    const nowSeconds = Math.floor(Date.now() / 1000);
    const ensured = await ensureDefaultAccount(store, nowSeconds, {
      secretKey: config.secretKey,
      publishableKey: config.publishableKey,
    });
    return ensured?.created && !config.secretKey ? ensured.account : undefined;
  });
}

/** Composition root: config → store (migrated) → services → app → listen. */
export async function startServer(
  config: ServerConfig,
  options: StartOptions = {},
): Promise<RunningServer> {
  const store = openConfiguredStore(config);
  let createdAccount: CreatedAccount | undefined;
  try {
    if (!options.skipPrepare) createdAccount = await prepareDatabase(store, config);
  } catch (error) {
    await store.close();
    throw error;
  }

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
  await app.listen({
    port: config.port,
    host: config.host,
    listenTextResolver: (address) => `Payrail listening on ${address}`,
  });
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
    createdAccount,
    async close() {
      await worker?.stop();
      await app.close();
      await store.close();
    },
  };
}
