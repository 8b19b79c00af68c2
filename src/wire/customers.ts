import { findCustomerByAccountAndId, type CustomerRow } from '../store/repositories/customers.js';
import { registerExpansion } from './expand.js';
import { json } from './list.js';

export function deletedCustomerToWire(id: string) {
  return { id, object: 'customer', deleted: true };
}

/** A customer in Stripe's shape (§3.1); a deleted one as the three-key deleted object. */
export function customerToWire(row: CustomerRow): Record<string, unknown> {
  if (row.deleted) return deletedCustomerToWire(row.id);
  return {
    id: row.id,
    object: 'customer',
    address: json(row.address),
    balance: row.balance,
    created: row.created,
    currency: row.currency,
    default_source: null,
    delinquent: false,
    description: row.description,
    discount: null,
    email: row.email,
    invoice_prefix: row.invoice_prefix,
    invoice_settings: {
      custom_fields: null,
      default_payment_method: row.default_payment_method,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: json(row.metadata),
    name: row.name,
    next_invoice_sequence: 1,
    phone: row.phone,
    preferred_locales: json(row.preferred_locales),
    shipping: json(row.shipping),
    tax_exempt: row.tax_exempt,
    test_clock: null,
  };
}

registerExpansion(
  'cus',
  'customer',
  async (tx, accountId, id) => {
    const row = await findCustomerByAccountAndId(tx, accountId, id);
    return row && customerToWire(row);
  },
  ['default_source'],
);
