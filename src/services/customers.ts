import { errors } from '../domain/errors.js';
import { newId, randomBase62 } from '../domain/ids.js';
import { mergeMetadata } from '../domain/metadata.js';
import { findPaymentMethodByAccountAndId } from '../store/repositories/payment-methods.js';
import {
  findCustomerByAccountAndId,
  insertCustomer,
  listCustomersByAccount,
  updateCustomerByAccountAndId,
  type CustomerFilter,
  type CustomerRow,
} from '../store/repositories/customers.js';
import type { PageRequest } from '../store/pagination.js';
import type { Tx } from '../store/schema.js';
import { customerToWire, deletedCustomerToWire } from '../wire/customers.js';
import type { CallContext } from './context.js';
import { emitEvent, previousAttributes } from './events.js';

/** Fields a customer create or update may set; null unsets (the wire's empty string). */
export interface CustomerInput {
  email?: string | null;
  name?: string | null;
  phone?: string | null;
  description?: string | null;
  address?: Record<string, unknown> | null;
  shipping?: Record<string, unknown> | null;
  metadata?: Record<string, unknown> | '';
  balance?: number;
  preferred_locales?: string[];
  tax_exempt?: string | null;
  invoice_settings?: { default_payment_method?: string | null } | null;
}

const DEFAULT_PM_PARAM = 'invoice_settings[default_payment_method]';

/**
 * A customer's default payment method must be one of its own attached payment methods (a new
 * customer has none yet, so it can only be set by update after an attach).
 * @throws ApiError resource_missing or invalid_request_error on the parameter.
 */
async function checkDefaultPaymentMethod(
  tx: Tx,
  accountId: string,
  customerId: string,
  paymentMethodId: string | null | undefined,
): Promise<void> {
  if (!paymentMethodId) return;
  const pm = await findPaymentMethodByAccountAndId(tx, accountId, paymentMethodId);
  if (!pm) throw errors.resourceMissing('PaymentMethod', paymentMethodId, DEFAULT_PM_PARAM, 400);
  if (pm.customer_id !== customerId) {
    throw errors.invalidRequest(
      `The PaymentMethod ${paymentMethodId} is not attached to customer ${customerId}; attach ` +
        'it before making it the default.',
      DEFAULT_PM_PARAM,
    );
  }
}

const jsonOrNull = (value: unknown) =>
  value === null || value === undefined ? null : JSON.stringify(value);

/** Loads a live customer or throws resource_missing (404 on a path, 400 for a body param). */
export async function requireCustomer(
  tx: Tx,
  accountId: string,
  id: string,
  param = 'id',
  options: { lock?: boolean } = {},
): Promise<CustomerRow> {
  const row = await findCustomerByAccountAndId(tx, accountId, id, options);
  if (!row || row.deleted)
    throw errors.resourceMissing('customer', id, param, param === 'id' ? 404 : 400);
  return row;
}

export async function createCustomer(
  tx: Tx,
  ctx: CallContext,
  input: CustomerInput,
): Promise<CustomerRow> {
  const metadata = mergeMetadata({}, input.metadata);
  const id = newId('cus');
  await checkDefaultPaymentMethod(
    tx,
    ctx.accountId,
    id,
    input.invoice_settings?.default_payment_method,
  );
  const row = await insertCustomer(tx, {
    id,
    account_id: ctx.accountId,
    created: ctx.now,
    email: input.email ?? null,
    name: input.name ?? null,
    phone: input.phone ?? null,
    description: input.description ?? null,
    address: jsonOrNull(input.address),
    shipping: jsonOrNull(input.shipping),
    metadata: JSON.stringify(metadata),
    balance: input.balance ?? 0,
    currency: null,
    invoice_prefix: randomBase62(8).toUpperCase(),
    default_payment_method: input.invoice_settings?.default_payment_method ?? null,
    preferred_locales: JSON.stringify(input.preferred_locales ?? []),
    tax_exempt: input.tax_exempt ?? 'none',
    deleted: 0,
  });
  await emitEvent(tx, ctx, 'customer.created', customerToWire(row));
  return row;
}

/** Retrieve: a deleted customer answers 200 with the deleted object (Stripe §17). */
export async function retrieveCustomer(tx: Tx, ctx: CallContext, id: string): Promise<CustomerRow> {
  const row = await findCustomerByAccountAndId(tx, ctx.accountId, id);
  if (!row) throw errors.resourceMissing('customer', id);
  return row;
}

export async function updateCustomer(
  tx: Tx,
  ctx: CallContext,
  id: string,
  input: CustomerInput,
): Promise<CustomerRow> {
  // Locked until commit: a concurrent update merging other metadata keys waits, then reads ours.
  const before = await requireCustomer(tx, ctx.accountId, id, 'id', { lock: true });
  const patch: Record<string, unknown> = {};
  for (const field of ['email', 'name', 'phone', 'description', 'balance'] as const) {
    if (input[field] !== undefined) patch[field] = input[field];
  }
  if (input.address !== undefined) patch.address = jsonOrNull(input.address);
  if (input.shipping !== undefined) patch.shipping = jsonOrNull(input.shipping);
  if (input.preferred_locales !== undefined)
    patch.preferred_locales = JSON.stringify(input.preferred_locales);
  if (input.tax_exempt !== undefined) patch.tax_exempt = input.tax_exempt ?? 'none';
  if (input.invoice_settings !== undefined) {
    const defaultId = input.invoice_settings?.default_payment_method;
    await checkDefaultPaymentMethod(tx, ctx.accountId, id, defaultId);
    patch.default_payment_method = defaultId ?? null;
  }
  if (input.metadata !== undefined) {
    patch.metadata = JSON.stringify(mergeMetadata(JSON.parse(before.metadata), input.metadata));
  }
  if (Object.keys(patch).length === 0) return before;

  const after = await updateCustomerByAccountAndId(tx, ctx.accountId, id, patch);
  if (!after) throw errors.resourceMissing('customer', id);
  const beforeWire = customerToWire(before);
  const afterWire = customerToWire(after);
  const previous = previousAttributes(beforeWire, afterWire);
  if (Object.keys(previous).length > 0)
    await emitEvent(tx, ctx, 'customer.updated', afterWire, previous);
  return after;
}

/** Deletes a customer; its payment methods are detached, as Stripe removes stored cards. */
export async function deleteCustomer(tx: Tx, ctx: CallContext, id: string) {
  const before = await requireCustomer(tx, ctx.accountId, id, 'id', { lock: true });
  await updateCustomerByAccountAndId(tx, ctx.accountId, id, { deleted: 1 });
  await tx
    .updateTable('payment_methods')
    .set({ customer_id: null, consumed: 1 })
    .where('account_id', '=', ctx.accountId)
    .where('customer_id', '=', id)
    .execute();
  await emitEvent(tx, ctx, 'customer.deleted', customerToWire(before));
  return deletedCustomerToWire(id);
}

export function listCustomers(tx: Tx, ctx: CallContext, filter: CustomerFilter, page: PageRequest) {
  return listCustomersByAccount(tx, ctx.accountId, filter, page);
}
