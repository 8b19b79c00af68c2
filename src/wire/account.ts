import type { AccountsTable } from '../store/schema.js';

/**
 * An account in Stripe's shape. Payrail accounts are test-mode standard accounts in the US that
 * can always charge; the fields Stripe fills from onboarding are empty.
 */
export function accountToWire(row: AccountsTable): Record<string, unknown> {
  return {
    id: row.id,
    object: 'account',
    business_profile: { name: row.name, url: null, support_email: null },
    business_type: null,
    capabilities: { card_payments: 'active', transfers: 'active' },
    charges_enabled: true,
    country: 'US',
    created: row.created,
    default_currency: 'usd',
    details_submitted: true,
    email: null,
    metadata: {},
    payouts_enabled: true,
    settings: {
      dashboard: { display_name: row.name, timezone: 'Etc/UTC' },
      payments: { statement_descriptor: null },
    },
    type: 'standard',
  };
}
