import type { Command } from 'commander';
import { configFromEnv, parsePositiveInteger } from '../config.js';
import { buildServices, openConfiguredStore, prepareDatabase } from '../main.js';
import { authenticateKey } from '../services/accounts.js';
import type { CallContext, Services } from '../services/context.js';
import { createCustomer } from '../services/customers.js';
import { createPaymentIntent } from '../services/payment-intents.js';
import { resolvePaymentMethod } from '../services/payment-methods.js';
import type { Store } from '../store/store.js';
import { printCreatedAccount } from './output.js';

/** Rows per store transaction: large enough that commits and fsyncs cost little per row. */
const BATCH = 500;
const PAYMENT_AMOUNT = 2000;

export interface SeedOptions {
  accountId: string;
  customers: number;
  payments: number;
  /** Called after each batch with what is done so far. */
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedProgress {
  phase: 'customers' | 'payments';
  done: number;
  total: number;
}

/**
 * Fills an account through the services' own code, many requests' worth per transaction:
 * customers as POST /v1/customers makes them, then succeeded payment intents as a one-request
 * payment (`confirm=true`, `pm_card_visa`) makes them — payment method, intent, charge,
 * balance transaction, ledger entries, events and, for payments with a customer, the
 * customer's history row. Payments go round-robin to the customers made here (none if
 * `customers` is 0). Returns the customer ids.
 */
export async function seedAccount(services: Services, options: SeedOptions): Promise<string[]> {
  const customerIds: string[] = [];
  const report = (phase: SeedProgress['phase'], done: number, total: number) =>
    options.onProgress?.({ phase, done, total });
  report('customers', 0, options.customers);
  for (let start = 0; start < options.customers; start += BATCH) {
    const count = Math.min(BATCH, options.customers - start);
    const ctx = seedContext(services, options.accountId);
    await services.store.transaction(async (tx) => {
      for (let i = 0; i < count; i++) {
        const n = start + i + 1;
        const row = await createCustomer(tx, ctx, {
          email: `seed${n}@example.com`,
          name: `Seed ${n}`,
        });
        customerIds.push(row.id);
      }
    });
    report('customers', start + count, options.customers);
  }
  report('payments', 0, options.payments);
  for (let start = 0; start < options.payments; start += BATCH) {
    const count = Math.min(BATCH, options.payments - start);
    const ids = Array.from({ length: count }, (_, i) =>
      customerIds.length ? customerIds[(start + i) % customerIds.length] : null,
    );
    await seedPayments(services, seedContext(services, options.accountId), ids);
    report('payments', start + count, options.payments);
  }
  return customerIds;
}

function seedContext(services: Services, accountId: string): CallContext {
  const now = Math.floor(services.clock.nowMs() / 1000);
  return { accountId, requestId: 'seed', now };
}

/**
 * One transaction of payments. The server asks the processor before its transaction opens (it
 * could be a network call); the simulated processor is pure, so here it runs inside.
 */
async function seedPayments(
  services: Services,
  ctx: CallContext,
  customerIds: (string | null)[],
): Promise<void> {
  await services.store.transaction(async (tx) => {
    for (const customerId of customerIds) {
      const paymentMethod = await resolvePaymentMethod(tx, ctx, services, 'pm_card_visa', 'pm');
      const authorization = await services.processor.authorize({
        amount: PAYMENT_AMOUNT,
        currency: 'usd',
        scenario: paymentMethod.scenario,
        authenticated: false,
        offSession: false,
        setUpForOffSession: false,
      });
      const result = await createPaymentIntent(tx, ctx, services, {
        input: { amount: PAYMENT_AMOUNT, currency: 'usd', customer: customerId, confirm: true },
        amount: PAYMENT_AMOUNT,
        currency: 'usd',
        attempt: {
          paymentMethod,
          authorization,
          authenticated: false,
          returnUrl: null,
          offSession: false,
          errorOnRequiresAction: false,
        },
      });
      if (result.intent.status !== 'succeeded') {
        throw new Error(`seed payment ended ${result.intent.status}, not succeeded`);
      }
    }
  });
}

/** A plain-text progress bar with the rate, redrawn in place on a terminal. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  let phaseStarted = Date.now();
  let phase = '';
  let lastDraw = 0;
  return (progress: SeedProgress) => {
    const now = Date.now();
    if (progress.phase !== phase) {
      phase = progress.phase;
      phaseStarted = now - 1;
      if (progress.total === 0) return;
    }
    if (progress.done === 0) return;
    const finished = progress.done === progress.total;
    if (!finished && now - lastDraw < 200) return;
    lastDraw = now;
    const width = 30;
    const filled = Math.round((progress.done / progress.total) * width);
    const rate = Math.round((progress.done / (now - phaseStarted)) * 1000);
    const line =
      `${phase.padEnd(9)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` +
      `${progress.done.toLocaleString('en')}/${progress.total.toLocaleString('en')} ` +
      `${rate.toLocaleString('en')}/s`;
    if (stream.isTTY) stream.write(`\r${line}${finished ? '\n' : ''}`);
    else if (finished || filled % 3 === 0) stream.write(`${line}\n`);
  };
}

/** The account the keys in the environment name, else the oldest one. */
async function seedTargetAccount(store: Store, secretKey: string | undefined): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  if (secretKey) {
    const key = await authenticateKey(store, secretKey, now);
    if (key) return key.accountId;
  }
  const row = await store.db
    .selectFrom('accounts')
    .select('id')
    .orderBy('created')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const count = (name: string) => (text: string) =>
  text.trim() === '0' ? 0 : parsePositiveInteger(text, name);

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('fill a database with customers and succeeded payments, in batches')
    .option('--database <url>', 'sqlite:PATH or postgres://…')
    .option('--customers <n>', 'customers to create (default 0)', count('--customers'), 0)
    .option('--payments <n>', 'succeeded payments to create (default 0)', count('--payments'), 0)
    .action(async (options: { database?: string; customers: number; payments: number }) => {
      const config = configFromEnv({ databaseUrl: options.database });
      const store = openConfiguredStore(config);
      try {
        const created = await prepareDatabase(store, config);
        if (created) printCreatedAccount(created);
        const services = await buildServices(store, config);
        const accountId = await seedTargetAccount(store, config.secretKey);
        await seedAccount(services, { ...options, accountId, onProgress: progressPrinter() });
        process.stdout.write(
          `seeded account ${accountId}: ${options.customers} customers, ` +
            `${options.payments} payments\n`,
        );
      } finally {
        await store.close();
      }
    });
}
