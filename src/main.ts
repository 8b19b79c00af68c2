import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.js';
import { buildApp } from './http/app.js';
import type { LogOptions } from './http/logging.js';
import { perSecond } from './http/plugins/rate-limit.js';
import { MemoryBucketStore, type BucketStore } from './http/rate-limit/bucket-store.js';
import { RedisBucketStore } from './http/rate-limit/redis-bucket-store.js';
import { SimulatedProcessor } from './processor/simulated.js';
import { ensureDefaultAccount, type CreatedAccount } from './services/accounts.js';
import { systemClock, type Services } from './services/context.js';
import { findOrCreateSetting } from './store/repositories/settings.js';
import { openStore, type Store } from './store/store.js';
import {
  WebhookWorker,
  webhookWorkerOptionsFromEnv,
  type WebhookWorkerOptions,
} from './webhooks/delivery.js';
import { readTlsFiles, selfSignedTls, type TlsMaterial } from './tls.js';

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  /** Base URL the server listens on, e.g. http://127.0.0.1:4242 (https:// with TLS). */
  url: string;
  port: number;
  /** Set when start-up created the default account with random keys (printed once). */
  createdAccount?: CreatedAccount;
  /** The certificate and key files in use, when serving HTTPS. */
  tls?: Pick<TlsMaterial, 'certFile' | 'keyFile' | 'generated'>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** false: no logging (tests); otherwise where and how much. */
  logger?: boolean | LogOptions;
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

function tlsOf(config: ServerConfig): TlsMaterial | undefined {
  if (config.tlsSelfSigned) return selfSignedTls(config.tlsDir);
  if (config.tlsCertFile || config.tlsKeyFile) {
    if (!config.tlsCertFile || !config.tlsKeyFile) {
      throw new Error('--tls-cert and --tls-key must be given together');
    }
    return readTlsFiles(config.tlsCertFile, config.tlsKeyFile);
  }
  return undefined;
}

async function bucketStoreOf(config: ServerConfig): Promise<BucketStore> {
  return config.redisUrl ? RedisBucketStore.connect(config.redisUrl) : new MemoryBucketStore();
}

/** The process-wide services over an opened, migrated store (the server's and `payrail seed`'s). */
export async function buildServices(store: Store, config: ServerConfig): Promise<Services> {
  return {
    store,
    clock: systemClock,
    processor: new SimulatedProcessor(),
    // Card fingerprints are keyed by a random secret kept in the database, so every process
    // shares it and it cannot be guessed from the configuration.
    fingerprintKey:
      config.fingerprintKey ??
      (await findOrCreateSetting(store.db, 'fingerprint_key', () =>
        randomBytes(32).toString('hex'),
      )),
    publicUrl: config.publicUrl ?? '',
  };
}

/** Composition root: config → store (migrated) → services → app → listen. */
export async function startServer(
  config: ServerConfig,
  options: StartOptions = {},
): Promise<RunningServer> {
  // What can fail on configuration comes first, before the database is opened.
  const tls = tlsOf(config);
  const buckets = await bucketStoreOf(config);
  const store = openConfiguredStore(config);
  let createdAccount: CreatedAccount | undefined;
  try {
    if (!options.skipPrepare) createdAccount = await prepareDatabase(store, config);
  } catch (error) {
    await store.close();
    await buckets.close();
    throw error;
  }

  const services = await buildServices(store, config);
  const logger =
    options.logger === false
      ? false
      : { level: config.logLevel, ...(options.logger === true ? {} : options.logger) };
  const app = await buildApp(services, {
    logger,
    https: tls && { cert: tls.cert, key: tls.key },
    trustProxy: config.trustProxy,
    maxHeaderBytes: config.maxHeaderBytes,
    rateLimit: {
      store: buckets,
      perKey: perSecond(config.rateLimitPerSecond),
      authFailures: perSecond(config.authFailureRateLimitPerSecond),
    },
  });
  await app.listen({
    port: config.port,
    host: config.host,
    listenTextResolver: (address) => `Payrail listening on ${address}`,
  });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${tls ? 'https' : 'http'}://${hostForUrl}:${port}`;
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
    tls: tls && { certFile: tls.certFile, keyFile: tls.keyFile, generated: tls.generated },
    async close() {
      await worker?.stop();
      await app.close();
      await store.close();
    },
  };
}
