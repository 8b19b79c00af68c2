#!/usr/bin/env node
import { Command } from 'commander';
import { ApiError } from '../domain/errors.js';
import { registerAccountCommands } from './accounts.js';
import { registerKeyCommands } from './keys.js';
import { registerMigrateCommand } from './migrate.js';
import { registerStartCommand } from './start.js';
import { registerSeedCommand } from './seed.js';
import { registerWebhookCommands } from './webhooks.js';

const program = new Command();
program
  .name('payrail')
  .description("A durable payment API server that speaks Stripe's wire protocol");

registerStartCommand(program);
registerMigrateCommand(program);
registerAccountCommands(program);
registerKeyCommands(program);
registerWebhookCommands(program);
registerSeedCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError && error.code ? ` (${error.code})` : '';
  process.stderr.write(`payrail: ${message}${code}\n`);
  process.exit(1);
});
