#!/usr/bin/env node
import { Command } from 'commander';
import { configFromEnv, DEFAULT_DATABASE_URL, DEFAULT_HOST, DEFAULT_PORT } from '../config.js';
import { startServer } from '../main.js';
import { pino } from 'pino';
import { systemClock } from '../services/context.js';
import { openStore } from '../store/store.js';
import { WebhookWorker, webhookWorkerOptionsFromEnv } from '../webhooks/delivery.js';
import { startListener } from './listen.js';

const program = new Command();
program.name('payrail').description('A durable payment API server that speaks Stripe\'s wire protocol');

program
  .command('start')
  .description('start the API server (runs migrations first)')
  .option('--port <port>', `port to listen on (default ${DEFAULT_PORT})`, (v) => Number.parseInt(v, 10))
  .option('--host <host>', `address to listen on (default ${DEFAULT_HOST})`)
  .option('--database <url>', `sqlite:PATH or postgres://… (default ${DEFAULT_DATABASE_URL})`)
  .option('--public-url <url>', 'base URL browsers use to reach this server')
  .option('--relaxed-durability', 'do not wait for fsync on each commit (SQLite; for test suites)')
  .action(async (options) => {
    const config = configFromEnv({
      port: options.port,
      host: options.host,
      databaseUrl: options.database,
      publicUrl: options.publicUrl,
      durable: options.relaxedDurability ? false : undefined,
    });
    const server = await startServer(config);
    if (server.createdAccount) {
      // Printed once: the keys are stored only as hashes and cannot be shown again.
      process.stdout.write(
        `Created account ${server.createdAccount.id}\n` +
          `  secret key:      ${server.createdAccount.secret_key}\n` +
          `  publishable key: ${server.createdAccount.publishable_key}\n`,
      );
    }
    server.app.log.info({ url: server.url, database: redactDatabaseUrl(config.databaseUrl) }, `Payrail listening on ${server.url}`);
    const stop = async () => {
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
    const store = openStore({ url: config.databaseUrl });
    await store.migrate();
    await store.close();
    process.stdout.write('migrations applied\n');
  });

const webhooks = program.command('webhooks').description('webhook delivery');
webhooks
  .command('work')
  .description('deliver webhooks from the database as a process of its own')
  .option('--database <url>', 'sqlite:PATH or postgres://…')
  .action(async (options) => {
    const config = configFromEnv({ databaseUrl: options.database });
    const store = openStore({ url: config.databaseUrl, durable: config.durable });
    await store.migrate();
    const log = pino({ level: config.logLevel }).child({ module: 'webhooks' });
    const worker = new WebhookWorker(store, systemClock, webhookWorkerOptionsFromEnv(), log);
    worker.start();
    log.info({ database: redactDatabaseUrl(config.databaseUrl) }, 'delivering webhooks');
    const stop = async () => {
      await worker.stop();
      await store.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('listen')
  .description("forward this server's events to a local URL, like `stripe listen`")
  .requiredOption('--forward-to <url>', 'where to POST each event')
  .option('--api-base <url>', 'the Payrail server', `http://${DEFAULT_HOST}:${DEFAULT_PORT}`)
  .option('--api-key <key>', 'a secret key (default PAYRAIL_SECRET_KEY)')
  .option('--events <types>', 'comma-separated event types (default all)')
  .action(async (options) => {
    const apiKey = options.apiKey ?? process.env.PAYRAIL_SECRET_KEY;
    if (!apiKey) throw new Error('--api-key (or PAYRAIL_SECRET_KEY) is required');
    const listener = await startListener({
      forwardTo: options.forwardTo,
      apiBase: options.apiBase,
      apiKey,
      events: options.events ? String(options.events).split(',').filter(Boolean) : [],
      print: (line) => process.stdout.write(`${line}\n`),
    });
    const stop = async () => {
      try {
        await listener.stop();
      } finally {
        process.exit(0);
      }
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

/** Hides a password in a database URL before it is logged. */
function redactDatabaseUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`payrail: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
