import Stripe from 'stripe';
import type { TestServer } from './server.js';

export { stripeError } from './stripe-error.js';

/** The raw error body of a Stripe error (what the server sent under `error`). */
export function rawError(error: Stripe.errors.StripeError): Record<string, any> {
  return (error.raw ?? {}) as Record<string, any>;
}

/** Event types of this account, oldest first, read from the database (no events API yet). */
export async function eventTypesFor(t: TestServer, objectId: string): Promise<string[]> {
  const rows = await t.server.services.store.db
    .selectFrom('events')
    .select(['type', 'data'])
    .orderBy('seq', 'asc')
    .execute();
  return rows
    .filter((row) => {
      const object = (JSON.parse(row.data) as { object: Record<string, unknown> }).object;
      return object.id === objectId || object.payment_intent === objectId;
    })
    .map((row) => row.type);
}

/** Charges of one intent, counted in the database. */
export async function chargeCount(t: TestServer, intentId: string): Promise<number> {
  const rows = await t.server.services.store.db
    .selectFrom('charges')
    .select('id')
    .where('payment_intent_id', '=', intentId)
    .execute();
  return rows.length;
}
