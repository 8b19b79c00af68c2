import Stripe from 'stripe';
import { configFromEnv, type ServerConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { generateApiKey } from '../../src/domain/api-keys.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestServer {
  server: RunningServer;
  url: string;
  port: number;
  secretKey: string;
  publishableKey: string;
  databaseUrl: string;
  /** The official SDK, pointed at this server with the secret key. */
  stripe: Stripe;
  /** An SDK client with another key (publishable, restricted, another account's). */
  stripeWith(key: string): Stripe;
  /** Raw HTTP against the server, authenticated with the secret key unless told otherwise. */
  fetch(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /**
   * Reuse a database (restart tests); otherwise a fresh one of this run's kind: a temporary
   * SQLite file, or a new PostgreSQL database when PAYRAIL_TEST_DATABASE=postgres.
   */
  databaseUrl?: string;
  secretKey?: string;
  publishableKey?: string;
  /** Keep the database (its files, or the PostgreSQL database) on close (restart tests). */
  keepDatabase?: boolean;
  /** More configuration (TLS, rate limits, …). Rate limits are off unless given here. */
  config?: Partial<ServerConfig>;
  /** Log (JSON lines) to this file instead of not logging. */
  logFile?: string;
}

/**
 * Starts a real Payrail server on 127.0.0.1 with a free port and a fresh database, and an
 * official Stripe client configured for it.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database: TestDatabase | undefined = options.databaseUrl
    ? undefined
    : await createTestDatabase();
  const databaseUrl = options.databaseUrl ?? database!.url;
  const secretKey = options.secretKey ?? generateApiKey('secret');
  const publishableKey = options.publishableKey ?? generateApiKey('publishable');
  const config = configFromEnv({
    port: 0,
    host: '127.0.0.1',
    databaseUrl,
    secretKey,
    publishableKey,
    durable: false,
    // Suites fire bursts; the limiter has its own tests and is opted into through `config`.
    rateLimitPerSecond: 0,
    authFailureRateLimitPerSecond: 0,
    ...options.config,
  });
  let server: RunningServer;
  try {
    server = await startServer(config, {
      logger: options.logFile ? { file: options.logFile, level: 'info' } : false,
    });
  } catch (error) {
    await database?.drop();
    throw error;
  }
  const stripeWith = (key: string) =>
    new Stripe(key, {
      host: '127.0.0.1',
      port: server.port,
      protocol: 'http',
      maxNetworkRetries: 0,
      telemetry: false,
    });
  return {
    server,
    url: server.url,
    port: server.port,
    secretKey,
    publishableKey,
    databaseUrl,
    stripe: stripeWith(secretKey),
    stripeWith,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      const key = init.key === undefined ? secretKey : init.key;
      if (key) headers.set('authorization', `Bearer ${key}`);
      return fetch(server.url + path, { ...init, headers });
    },
    async close() {
      await server.close();
      if (database && !options.keepDatabase) await database.drop();
    },
  };
}

/** Form-encodes flat pairs for raw requests. */
export function form(pairs: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(pairs).toString(),
  };
}
