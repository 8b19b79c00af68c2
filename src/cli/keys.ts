import type { Command } from 'commander';
import * as apiKeys from '../services/api-keys.js';
import { nowSeconds, output, parseCount, withStore } from './common.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter(Boolean)];
}

function describe(key: apiKeys.ApiKeySummary): string {
  const when = (t: number | null) => (t === null ? '-' : new Date(t * 1000).toISOString());
  const state = key.revoked_at !== null ? ' (revoked)' : '';
  const perms = key.permissions ? ` ${key.permissions.join(',')}` : '';
  const dates = `created ${when(key.created)}  expires ${when(key.expires_at)}`;
  return `${key.id}  ${key.kind.padEnd(11)} …${key.hint}  ${dates}${state}${perms}`;
}

export function registerKeyCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('manage API keys (secrets are shown only when made)');

  keys
    .command('create')
    .description('make a secret key, or a restricted key with --restricted')
    .requiredOption('--account <id>', 'the account the key belongs to')
    .option(
      '--restricted <perm...>',
      'permissions like customers:read payment_intents:write',
      collect,
    )
    .option('--database <url>', 'sqlite:PATH or postgres://…')
    .option('--json', 'print JSON')
    .action(async (options) => {
      const created = await withStore(options.database, (store) =>
        apiKeys.createApiKey(store, options.account, options.restricted, nowSeconds()),
      );
      output(options.json, created, `Created key ${created.id}: ${created.key}\n(shown only now)`);
    });

  keys
    .command('list')
    .description("list an account's keys: id, kind, last four characters, dates, permissions")
    .requiredOption('--account <id>', 'the account')
    .option('--database <url>', 'sqlite:PATH or postgres://…')
    .option('--json', 'print JSON')
    .action(async (options) => {
      const list = await withStore(options.database, (store) =>
        apiKeys.listApiKeys(store, options.account),
      );
      output(options.json, list, list.map(describe).join('\n') || 'no keys');
    });

  keys
    .command('roll <keyId>')
    .description('replace a key; the old one keeps working for the grace period')
    .option('--grace-seconds <n>', 'seconds the old key stays valid (default 0)', parseCount)
    .option('--database <url>', 'sqlite:PATH or postgres://…')
    .option('--json', 'print JSON')
    .action(async (keyId: string, options) => {
      const rolled = await withStore(options.database, (store) =>
        apiKeys.rollApiKey(store, keyId, options.graceSeconds ?? 0, nowSeconds()),
      );
      const expires = new Date(rolled.expires_at * 1000).toISOString();
      output(
        options.json,
        { id: rolled.id, key: rolled.key, old_key_expires_at: rolled.expires_at },
        `Created key ${rolled.id}: ${rolled.key}\n(shown only now; ${keyId} expires ${expires})`,
      );
    });

  keys
    .command('revoke <keyId>')
    .description('revoke a key at once')
    .option('--database <url>', 'sqlite:PATH or postgres://…')
    .option('--json', 'print JSON')
    .action(async (keyId: string, options) => {
      const revoked = await withStore(options.database, (store) =>
        apiKeys.revokeApiKey(store, keyId, nowSeconds()),
      );
      output(options.json, revoked, `Revoked ${revoked.id}`);
    });
}
