/** Everything the server is told at start, from flags and environment variables. */
export interface ServerConfig {
  port: number;
  host: string;
  /** `sqlite:PATH` or `postgres://…`. */
  databaseUrl: string;
  /** false relaxes SQLite's fsync-per-commit for test suites that need speed over durability. */
  durable: boolean;
  secretKey?: string;
  publishableKey?: string;
  /** Base URL payers' browsers use to reach this server (3-D Secure page links). */
  publicUrl?: string;
  /** Secret that keys card fingerprints; a random one kept in the database when not given. */
  fingerprintKey?: string;
  logLevel: string;
  /** PostgreSQL: connections per process (`--pool-size`, PAYRAIL_PG_POOL_SIZE). */
  poolSize?: number;
  /** PostgreSQL: statement timeout in ms (`--statement-timeout-ms`). */
  statementTimeoutMs?: number;
  /** Server processes on one port (`--workers`, PAYRAIL_WORKERS); unset or 1: no cluster. */
  workers?: number;
  /** PEM certificate chain and private key files: the server then speaks HTTPS only. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Generate (once) a self-signed certificate under `tlsDir` and serve HTTPS with it. */
  tlsSelfSigned: boolean;
  /** Where a self-signed certificate is kept. */
  tlsDir: string;
  /** Believe X-Forwarded-For/-Proto from the peer (only behind a proxy you run). */
  trustProxy: boolean;
  /** Requests per second per API key, burst the same; 0 turns the limit off. */
  rateLimitPerSecond: number;
  /** Failed authentications per second per client address, burst the same; 0 turns it off. */
  authFailureRateLimitPerSecond: number;
  /** Shared rate-limit counters for several server processes; in-process when not set. */
  redisUrl?: string;
  /** Largest total size of request headers, in bytes (Node's maxHeaderSize). */
  maxHeaderBytes: number;
}

export const DEFAULT_PORT = 4242;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATABASE_URL = 'sqlite:./payrail.db';
export const DEFAULT_RATE_LIMIT = 100;
export const DEFAULT_AUTH_FAILURE_RATE_LIMIT = 10;
export const DEFAULT_TLS_DIR = './.payrail/tls';
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

/** A non-negative integer from the environment, or the default when unset. */
function envCount(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0`);
  return n;
}

function envFlag(value: string | undefined): boolean {
  return value === '1' || value === 'true' || value === 'yes';
}

export function configFromEnv(overrides: Partial<ServerConfig>): ServerConfig {
  const env = process.env;
  return {
    port: DEFAULT_PORT,
    host: DEFAULT_HOST,
    databaseUrl: env.PAYRAIL_DATABASE_URL || DEFAULT_DATABASE_URL,
    durable: env.PAYRAIL_DURABILITY !== 'relaxed',
    secretKey: env.PAYRAIL_SECRET_KEY || undefined,
    publishableKey: env.PAYRAIL_PUBLISHABLE_KEY || undefined,
    publicUrl: env.PAYRAIL_PUBLIC_URL || undefined,
    fingerprintKey: env.PAYRAIL_FINGERPRINT_KEY || undefined,
    logLevel: env.PAYRAIL_LOG_LEVEL || 'info',
    poolSize: positiveIntegerFromEnv('PAYRAIL_PG_POOL_SIZE'),
    statementTimeoutMs: positiveIntegerFromEnv('PAYRAIL_PG_STATEMENT_TIMEOUT_MS'),
    workers: positiveIntegerFromEnv('PAYRAIL_WORKERS'),
    tlsCertFile: env.PAYRAIL_TLS_CERT || undefined,
    tlsKeyFile: env.PAYRAIL_TLS_KEY || undefined,
    tlsSelfSigned: false,
    tlsDir: DEFAULT_TLS_DIR,
    trustProxy: envFlag(env.PAYRAIL_TRUST_PROXY),
    rateLimitPerSecond: envCount(env.PAYRAIL_RATE_LIMIT, DEFAULT_RATE_LIMIT, 'PAYRAIL_RATE_LIMIT'),
    authFailureRateLimitPerSecond: envCount(
      env.PAYRAIL_AUTH_FAILURE_RATE_LIMIT,
      DEFAULT_AUTH_FAILURE_RATE_LIMIT,
      'PAYRAIL_AUTH_FAILURE_RATE_LIMIT',
    ),
    redisUrl: env.PAYRAIL_REDIS_URL || undefined,
    maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES,
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  };
}

/** A whole number ≥ 1 from flag or variable text; anything else is a start-up error. */
export function parsePositiveInteger(text: string, name: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name} must be a whole number of at least 1, not '${text}'`);
  }
  return value;
}

function positiveIntegerFromEnv(name: string): number | undefined {
  const text = process.env[name];
  return text ? parsePositiveInteger(text, name) : undefined;
}
