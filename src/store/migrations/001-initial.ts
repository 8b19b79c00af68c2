import { type CreateTableBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/** Columns every object table starts with: insertion order, id, owning account, creation time. */
function objectTable(
  db: Kysely<any>,
  dialect: Dialect,
  name: string,
): CreateTableBuilder<string, any> {
  return db.schema
    .createTable(name)
    .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('created', 'bigint', (c) => c.notNull());
}

function sequenceColumn(dialect: Dialect) {
  return dialect === 'postgres' ? 'bigserial' : 'integer';
}

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const seq = sequenceColumn(dialect);
  const seqPk = (c: any) =>
    dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('fee_rate_bps', 'integer', (c) => c.notNull())
    .addColumn('fee_fixed', 'integer', (c) => c.notNull())
    .addColumn('payout_delay_seconds', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_hint', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text')
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await objectTable(db, dialect, 'customers')
    .addColumn('email', 'text')
    .addColumn('name', 'text')
    .addColumn('phone', 'text')
    .addColumn('description', 'text')
    .addColumn('address', 'text')
    .addColumn('shipping', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('balance', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text')
    .addColumn('invoice_prefix', 'text', (c) => c.notNull())
    .addColumn('default_payment_method', 'text')
    .addColumn('preferred_locales', 'text', (c) => c.notNull())
    .addColumn('tax_exempt', 'text', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull())
    .execute();

  await objectTable(db, dialect, 'payment_methods')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('exp_month', 'integer', (c) => c.notNull())
    .addColumn('exp_year', 'integer', (c) => c.notNull())
    .addColumn('funding', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('scenario', 'text', (c) => c.notNull())
    .addColumn('billing_details', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('consumed', 'integer', (c) => c.notNull())
    .execute();

  await objectTable(db, dialect, 'payment_intents')
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('payment_method_id', 'text')
    .addColumn('capture_method', 'text', (c) => c.notNull())
    .addColumn('confirmation_method', 'text', (c) => c.notNull())
    .addColumn('client_secret', 'text', (c) => c.notNull())
    .addColumn('amount_capturable', 'bigint', (c) => c.notNull())
    .addColumn('amount_received', 'bigint', (c) => c.notNull())
    .addColumn('canceled_at', 'bigint')
    .addColumn('cancellation_reason', 'text')
    .addColumn('description', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('last_payment_error', 'text')
    .addColumn('latest_charge_id', 'text')
    .addColumn('next_action', 'text')
    .addColumn('return_url', 'text')
    .addColumn('payment_method_types', 'text', (c) => c.notNull())
    .addColumn('receipt_email', 'text')
    .addColumn('setup_future_usage', 'text')
    .addColumn('shipping', 'text')
    .addColumn('statement_descriptor', 'text')
    .addColumn('statement_descriptor_suffix', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();

  await objectTable(db, dialect, 'charges')
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('amount_captured', 'bigint', (c) => c.notNull())
    .addColumn('amount_refunded', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('captured', 'integer', (c) => c.notNull())
    .addColumn('paid', 'integer', (c) => c.notNull())
    .addColumn('refunded', 'integer', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('payment_intent_id', 'text')
    .addColumn('payment_method_id', 'text', (c) => c.notNull())
    .addColumn('balance_transaction_id', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('billing_details', 'text', (c) => c.notNull())
    .addColumn('payment_method_details', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();

  await objectTable(db, dialect, 'refunds')
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('charge_id', 'text', (c) => c.notNull())
    .addColumn('payment_intent_id', 'text')
    .addColumn('reason', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('balance_transaction_id', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .execute();

  await objectTable(db, dialect, 'balance_transactions')
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('fee', 'bigint', (c) => c.notNull())
    .addColumn('net', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('reporting_category', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('fee_details', 'text', (c) => c.notNull())
    .addColumn('available_on', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('seq', seq, seqPk)
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('posting_id', 'text', (c) => c.notNull())
    .addColumn('ledger_account', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .execute();

  await objectTable(db, dialect, 'customer_transactions')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .execute();

  await objectTable(db, dialect, 'events')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('api_version', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('idempotency_key', 'text')
    .execute();

  await objectTable(db, dialect, 'webhook_endpoints')
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('enabled_events', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('api_version', 'text')
    .addColumn('deleted', 'integer', (c) => c.notNull())
    .execute();

  await objectTable(db, dialect, 'webhook_deliveries')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('seq', seq, seqPk)
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('locked_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['account_id', 'key'])
    .execute();

  await createIndexes(db);
}

/** Lists run newest first per account, so each list's filter leads its index. */
async function createIndexes(db: Kysely<any>): Promise<void> {
  const indexes: Array<[string, string, string[]]> = [
    ['api_keys_account', 'api_keys', ['account_id']],
    ['customers_list', 'customers', ['account_id', 'created', 'seq']],
    ['customers_email', 'customers', ['account_id', 'email']],
    ['payment_methods_customer', 'payment_methods', ['account_id', 'customer_id', 'created']],
    ['payment_intents_list', 'payment_intents', ['account_id', 'created', 'seq']],
    ['payment_intents_customer', 'payment_intents', ['account_id', 'customer_id', 'created']],
    ['charges_list', 'charges', ['account_id', 'created', 'seq']],
    ['charges_customer', 'charges', ['account_id', 'customer_id', 'created']],
    ['charges_intent', 'charges', ['payment_intent_id']],
    ['refunds_list', 'refunds', ['account_id', 'created', 'seq']],
    ['refunds_charge', 'refunds', ['charge_id']],
    ['balance_transactions_list', 'balance_transactions', ['account_id', 'created', 'seq']],
    ['balance_transactions_source', 'balance_transactions', ['account_id', 'source_id']],
    ['ledger_entries_account', 'ledger_entries', ['account_id', 'currency', 'ledger_account']],
    [
      'customer_transactions_list',
      'customer_transactions',
      ['account_id', 'customer_id', 'created', 'seq'],
    ],
    ['events_list', 'events', ['account_id', 'created', 'seq']],
    ['webhook_endpoints_list', 'webhook_endpoints', ['account_id', 'created', 'seq']],
    ['webhook_deliveries_due', 'webhook_deliveries', ['status', 'next_attempt_at']],
    ['webhook_deliveries_event', 'webhook_deliveries', ['event_id']],
    ['webhook_attempts_delivery', 'webhook_attempts', ['delivery_id']],
  ];
  for (const [name, table, columns] of indexes) {
    await db.schema.createIndex(name).on(table).columns(columns).execute();
  }
}
