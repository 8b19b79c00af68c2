import type { CreatedAccount } from '../services/accounts.js';

/** Printed once: the keys are stored only as hashes and cannot be shown again. */
export function printCreatedAccount(account: CreatedAccount): void {
  process.stdout.write(
    `Created account ${account.id}\n` +
      `  secret key:      ${account.secret_key}\n` +
      `  publishable key: ${account.publishable_key}\n`,
  );
}

/** Hides a password in a database URL before it is logged. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}
