import type { Command } from 'commander';
import { createLogger } from '../http/logging.js';
import { configFromEnv, DEFAULT_HOST, DEFAULT_PORT } from '../config.js';
import { systemClock } from '../services/context.js';
import { openConfiguredStore } from '../main.js';
import { WebhookWorker, webhookWorkerOptionsFromEnv } from '../webhooks/delivery.js';
import { startListener } from './listen.js';
import { redactDatabaseUrl } from './output.js';

/** `payrail webhooks work` (the delivery worker as its own process) and `payrail listen`. */
export function registerWebhookCommands(program: Command): void {
  const webhooks = program.command('webhooks').description('webhook delivery');
  webhooks
    .command('work')
    .description('deliver webhooks from the database as a process of its own')
    .option('--database <url>', 'sqlite:PATH or postgres://…')
    .action(async (options) => {
      const config = configFromEnv({ databaseUrl: options.database });
      const store = openConfiguredStore(config);
      await store.withStartupLock(() => store.migrate());
      // The server's logger, so secrets are redacted and scrubbed here too.
      const log = createLogger({ level: config.logLevel }).child({ module: 'webhooks' });
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
}
