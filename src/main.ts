import { createHash } from 'node:crypto';
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
import { openStore } from './store/store.js';
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

/** Composition root: config → store (migrated) → services → app → listen. */
export async function startServer(
  config: ServerConfig,
  options: StartOptions = {},
): Promise<RunningServer> {
  // What can fail on configuration comes first, before the database is opened.
  const tls = tlsOf(config);
  const buckets = await bucketStoreOf(config);
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
      config.fingerprintKey ??
      createHash('sha256').update(`payrail:${config.databaseUrl}`).digest('hex'),
    publicUrl: config.publicUrl ?? '',
  };
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
  return {
    app,
    services,
    url,
    port,
    createdAccount: ensured?.created && !config.secretKey ? ensured.account : undefined,
    tls: tls && { certFile: tls.certFile, keyFile: tls.keyFile, generated: tls.generated },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
