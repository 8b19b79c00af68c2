import type { Command } from 'commander';
import { configFromEnv } from '../config.js';
import { openConfiguredStore } from '../main.js';

export function registerMigrateCommand(program: Command): void {
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
}
