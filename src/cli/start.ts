import type { Command } from 'commander';
import {
  configFromEnv,
  DEFAULT_AUTH_FAILURE_RATE_LIMIT,
  DEFAULT_DATABASE_URL,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_RATE_LIMIT,
  DEFAULT_TLS_DIR,
  parsePositiveInteger,
} from '../config.js';
import { startServer } from '../main.js';
import { DEFAULT_PG_POOL_SIZE, DEFAULT_PG_STATEMENT_TIMEOUT_MS } from '../store/store.js';
import { selfSignedTls } from '../tls.js';
import { isClusterWorker, runClusterPrimary } from './cluster.js';
import { parseCount } from './common.js';
import { printCreatedAccount, redactDatabaseUrl } from './output.js';

const positive = (name: string) => (text: string) => parsePositiveInteger(text, name);

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start the API server (runs migrations first)')
    .option('--port <port>', `port to listen on (default ${DEFAULT_PORT})`, parseCount)
    .option('--host <host>', `address to listen on (default ${DEFAULT_HOST})`)
    .option('--database <url>', `sqlite:PATH or postgres://… (default ${DEFAULT_DATABASE_URL})`)
    .option('--public-url <url>', 'base URL browsers use to reach this server')
    .option(
      '--relaxed-durability',
      'do not wait for fsync on each commit (SQLite; for test suites)',
    )
    .option('--tls-cert <file>', 'PEM certificate chain: serve HTTPS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--tls <mode>', `"self-signed": make a local certificate in ${DEFAULT_TLS_DIR}`)
    .option('--trust-proxy', 'trust X-Forwarded-For/-Proto from the peer (behind your own proxy)')
    .option(
      '--rate-limit <n>',
      `requests per second per API key, 0 for none (default ${DEFAULT_RATE_LIMIT})`,
      parseCount,
    )
    .option(
      '--auth-failure-rate-limit <n>',
      'failed authentications per second per client address ' +
        `(default ${DEFAULT_AUTH_FAILURE_RATE_LIMIT})`,
      parseCount,
    )
    .option('--redis <url>', 'share rate-limit counters through Redis (redis://…)')
    .option(
      '--pool-size <n>',
      `PostgreSQL connections per process (default ${DEFAULT_PG_POOL_SIZE})`,
      positive('--pool-size'),
    )
    .option(
      '--statement-timeout-ms <ms>',
      `PostgreSQL statement timeout (default ${DEFAULT_PG_STATEMENT_TIMEOUT_MS})`,
      positive('--statement-timeout-ms'),
    )
    .option('--workers <n>', 'server processes sharing the port (default 1)', positive('--workers'))
    .action(async (options) => {
      if (options.tls !== undefined && options.tls !== 'self-signed') {
        throw new Error(`--tls accepts only "self-signed" (got "${options.tls}")`);
      }
      const config = configFromEnv({
        port: options.port,
        host: options.host,
        databaseUrl: options.database,
        publicUrl: options.publicUrl,
        durable: options.relaxedDurability ? false : undefined,
        tlsCertFile: options.tlsCert,
        tlsKeyFile: options.tlsKey,
        tlsSelfSigned: options.tls === 'self-signed' ? true : undefined,
        trustProxy: options.trustProxy ? true : undefined,
        rateLimitPerSecond: options.rateLimit,
        authFailureRateLimitPerSecond: options.authFailureRateLimit,
        redisUrl: options.redis,
        poolSize: options.poolSize,
        statementTimeoutMs: options.statementTimeoutMs,
        workers: options.workers,
      });
      if ((config.workers ?? 1) > 1 && !isClusterWorker()) {
        // Made once here, so the workers find it rather than racing to generate it.
        if (config.tlsSelfSigned) reportSelfSigned(selfSignedTls(config.tlsDir));
        await runClusterPrimary(config);
        return;
      }
      // A cluster worker's primary has migrated and made the default account already.
      const server = await startServer(config, { skipPrepare: isClusterWorker() });
      if (server.tls && config.tlsSelfSigned && !isClusterWorker()) reportSelfSigned(server.tls);
      if (server.createdAccount) printCreatedAccount(server.createdAccount);
      // Fastify has logged "Payrail listening on …"; this line adds only what it does not know.
      server.app.log.info(
        { database: redactDatabaseUrl(config.databaseUrl), tls: Boolean(server.tls) },
        'database ready',
      );
      let stopping = false;
      // Ctrl-C reaches a --workers child twice: directly, and as the primary's SIGTERM.
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

function reportSelfSigned(tls: { certFile: string; keyFile: string; generated: boolean }): void {
  process.stdout.write(
    tls.generated
      ? 'Generated a self-signed certificate for local use:\n' +
          `  certificate: ${tls.certFile}\n  private key: ${tls.keyFile}\n`
      : `Using the self-signed certificate ${tls.certFile}\n`,
  );
}
