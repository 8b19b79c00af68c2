#!/usr/bin/env node
import { Command } from 'commander';
import { configFromEnv, DEFAULT_DATABASE_URL, DEFAULT_HOST, DEFAULT_PORT } from '../config.js';
import { startServer } from '../main.js';
import { openStore } from '../store/store.js';

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
    server.app.log.info({ database: redactDatabaseUrl(config.databaseUrl) }, 'database ready');
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

/** Hides a password in a database URL before it is logged. */
function redactDatabaseUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`payrail: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
