import type { Generated, Kysely, Transaction } from 'kysely';

/**
 * The tables, as Kysely sees them. One schema serves SQLite and PostgreSQL: booleans are
 * integers 0/1, JSON is text, timestamps are Unix seconds, amounts are integer minor units.
 * Every object table has `seq`, an internal insertion order that breaks ties in `created` for
 * lists and cursors, and `account_id`, which every query filters on.
 */
export interface AccountsTable {
  id: string;
  name: string | null;
  created: number;
  /** Processing fee in basis points of the amount (290 = 2.9%). */
  fee_rate_bps: number;
  /** Fixed processing fee per charge, in the minor unit of the charge's currency. */
  fee_fixed: number;
  /** Seconds between a charge's capture and its funds becoming available. */
  payout_delay_seconds: number;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  kind: 'secret' | 'publishable' | 'restricted';
  /** SHA-256 of the whole key; the key itself is never stored. */
  key_hash: string;
  /** The last four characters, to tell keys apart in listings. */
  key_hint: string;
  /** JSON array of `resource:read|write` for restricted keys, null otherwise. */
  permissions: string | null;
  created: number;
  expires_at: number | null;
  revoked_at: number | null;
}

interface ObjectRow {
  seq: Generated<number>;
  id: string;
  account_id: string;
  created: number;
}

export interface CustomersTable extends ObjectRow {
  email: string | null;
  name: string | null;
  phone: string | null;
  description: string | null;
  address: string | null;
  shipping: string | null;
  metadata: string;
  balance: number;
  currency: string | null;
  invoice_prefix: string;
  default_payment_method: string | null;
  preferred_locales: string;
  tax_exempt: string;
  deleted: number;
}

export interface PaymentMethodsTable extends ObjectRow {
  type: string;
  customer_id: string | null;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  funding: string;
  country: string | null;
  /** Keyed hash of the card number: equal for equal numbers within one account only. */
  fingerprint: string;
  /** The simulated processor's behaviour for this card (never the number itself). */
  scenario: string;
  billing_details: string;
  metadata: string;
  /** 1 once detached: a detached payment method can never be used again. */
  consumed: number;
}

export interface PaymentIntentsTable extends ObjectRow {
  amount: number;
  currency: string;
  status: string;
  customer_id: string | null;
  payment_method_id: string | null;
  capture_method: string;
  confirmation_method: string;
  client_secret: string;
  amount_capturable: number;
  amount_received: number;
  canceled_at: number | null;
  cancellation_reason: string | null;
  description: string | null;
  metadata: string;
  last_payment_error: string | null;
  latest_charge_id: string | null;
  next_action: string | null;
  return_url: string | null;
  payment_method_types: string;
  receipt_email: string | null;
  setup_future_usage: string | null;
  shipping: string | null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  /** Bumped by every state change; transitions compare-and-set on it. */
  version: number;
  /** 1 once the payer finished 3-D Secure for the current payment method (migration 002). */
  authenticated: Generated<number>;
}

export interface ChargesTable extends ObjectRow {
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  currency: string;
  status: string;
  captured: number;
  paid: number;
  refunded: number;
  customer_id: string | null;
  payment_intent_id: string | null;
  payment_method_id: string;
  balance_transaction_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  outcome: string;
  description: string | null;
  metadata: string;
  billing_details: string;
  payment_method_details: string;
  version: number;
  /** 1 when the captured funds go straight to the available balance (migration 002). */
  bypass_pending: Generated<number>;
}

export interface RefundsTable extends ObjectRow {
  amount: number;
  currency: string;
  charge_id: string;
  payment_intent_id: string | null;
  reason: string | null;
  status: string;
  failure_reason: string | null;
  balance_transaction_id: string | null;
  metadata: string;
}

export interface BalanceTransactionsTable extends ObjectRow {
  amount: number;
  fee: number;
  net: number;
  currency: string;
  type: string;
  reporting_category: string;
  source_id: string;
  description: string | null;
  fee_details: string;
  available_on: number;
}

export interface LedgerEntriesTable {
  seq: Generated<number>;
  account_id: string;
  created: number;
  /** The balance transaction (or other object) whose posting this entry belongs to. */
  posting_id: string;
  ledger_account: string;
  currency: string;
  /** Signed: the entries of one posting sum to zero. */
  amount: number;
}

export interface CustomerTransactionsTable extends ObjectRow {
  customer_id: string;
  type: string;
  amount: number;
  currency: string;
  status: string;
  source_id: string;
}

export interface EventsTable extends ObjectRow {
  type: string;
  api_version: string | null;
  /** JSON `{object, previous_attributes?}`. */
  data: string;
  request_id: string | null;
  idempotency_key: string | null;
}

export interface WebhookEndpointsTable extends ObjectRow {
  url: string;
  enabled_events: string;
  description: string | null;
  metadata: string;
  /** Needed in clear to sign deliveries (HMAC); returned to the API only on create. */
  secret: string;
  status: string;
  api_version: string | null;
  deleted: number;
}

export interface WebhookDeliveriesTable extends ObjectRow {
  event_id: string;
  endpoint_id: string;
  status: string;
  attempts: number;
  /** Milliseconds since the epoch. */
  next_attempt_at: number;
  locked_until: number | null;
}

export interface WebhookAttemptsTable {
  seq: Generated<number>;
  account_id: string;
  delivery_id: string;
  created: number;
  response_status: number | null;
  error: string | null;
  duration_ms: number;
}

export interface IdempotencyKeysTable {
  account_id: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
  status: 'started' | 'completed';
  response_status: number | null;
  response_body: string | null;
  request_id: string;
  created: number;
  /** Milliseconds; a started key older than the lease may be reclaimed (its request died). */
  locked_at: number;
}

export interface SettingsTable {
  name: string;
  value: string;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  customers: CustomersTable;
  payment_methods: PaymentMethodsTable;
  payment_intents: PaymentIntentsTable;
  charges: ChargesTable;
  refunds: RefundsTable;
  balance_transactions: BalanceTransactionsTable;
  ledger_entries: LedgerEntriesTable;
  customer_transactions: CustomerTransactionsTable;
  events: EventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  idempotency_keys: IdempotencyKeysTable;
  settings: SettingsTable;
}

export type Db = Kysely<Database>;
/** A connection inside one database transaction. */
export type Tx = Transaction<Database> | Kysely<Database>;
