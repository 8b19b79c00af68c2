#!/usr/bin/env node
import { Command } from 'commander';
import {
  configFromEnv,
  DEFAULT_DATABASE_URL,
  DEFAULT_HOST,
  DEFAULT_PORT,
  parsePositiveInteger,
} from '../config.js';
import { openConfiguredStore, startServer } from '../main.js';
import { DEFAULT_PG_POOL_SIZE, DEFAULT_PG_STATEMENT_TIMEOUT_MS } from '../store/store.js';
import { isClusterWorker, runClusterPrimary } from './cluster.js';
import { printCreatedAccount, redactDatabaseUrl } from './output.js';
import { registerSeedCommand } from './seed.js';
import { registerWebhookCommands } from './webhooks.js';

const program = new Command();
program.name('payrail').description('A durable payment API server that speaks Stripe\'s wire protocol');

const positive = (name: string) => (text: string) => parsePositiveInteger(text, name);

program
  .command('start')
  .description('start the API server (runs migrations first)')
  .option('--port <port>', `port to listen on (default ${DEFAULT_PORT})`, (v) => Number.parseInt(v, 10))
  .option('--host <host>', `address to listen on (default ${DEFAULT_HOST})`)
  .option('--database <url>', `sqlite:PATH or postgres://… (default ${DEFAULT_DATABASE_URL})`)
  .option('--public-url <url>', 'base URL browsers use to reach this server')
  .option('--relaxed-durability', 'do not wait for fsync on each commit (SQLite; for test suites)')
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
    const config = configFromEnv({
      port: options.port,
      host: options.host,
      databaseUrl: options.database,
      publicUrl: options.publicUrl,
      durable: options.relaxedDurability ? false : undefined,
      poolSize: options.poolSize,
      statementTimeoutMs: options.statementTimeoutMs,
      workers: options.workers,
    });
    if ((config.workers ?? 1) > 1 && !isClusterWorker()) {
      await runClusterPrimary(config);
      return;
    }
    // A cluster worker's primary has migrated and made the default account already.
    const server = await startServer(config, { skipPrepare: isClusterWorker() });
    if (server.createdAccount) printCreatedAccount(server.createdAccount);
    server.app.log.info({ database: redactDatabaseUrl(config.databaseUrl) }, 'database ready');
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

program
  .command('migrate')
  .description('create or upgrade the database schema')
  .option('--database <url>', 'sqlite:PATH or postgres://…')
  .action(async (options) => {
    const config = configFromEnv({ databaseUrl: options.database });
    const store = openConfiguredStore(config);
    await store.withStartupLock(() => store.migrate());
    await store.close();
    process.stdout.write('migrations applied\n');
  });

registerWebhookCommands(program);
registerSeedCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`payrail: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
