import type { Command } from 'commander';
import { createAccount } from '../services/accounts.js';
import { nowSeconds, output, withStore } from './common.js';

export function registerAccountCommands(program: Command): void {
  const accounts = program.command('accounts').description('manage accounts in the database');

  accounts
    .command('create')
    .description('create an account with a secret and a publishable key (shown once)')
    .option('--database <url>', 'sqlite:PATH or postgres://…')
    .option('--json', 'print JSON')
    .action(async (options) => {
      const account = await withStore(options.database, (store) =>
        createAccount(store, nowSeconds()),
      );
      output(
        options.json,
        account,
        `Created account ${account.id}\n  secret key:      ${account.secret_key}\n` +
          `  publishable key: ${account.publishable_key}\n(keys are shown only now)`,
      );
    });
}
