import type { TestServer } from './server.js';

/** A year in the future, for card expiries. */
export const nextYear = new Date().getUTCFullYear() + 1;

export interface CardDetails {
  number?: string;
  exp_month?: number;
  exp_year?: number;
  cvc?: string;
}

export { stripeError } from './stripe-error.js';

/** Creates a card payment method through the SDK, valid unless `extra` says otherwise. */
export function createCard(t: TestServer, number: string, extra: CardDetails = {}) {
  return t.stripe.paymentMethods.create({
    type: 'card',
    card: { number, exp_month: 12, exp_year: nextYear, cvc: '123', ...extra },
  });
}

/** The payment_method.* events recorded for one payment method, oldest first. */
export async function paymentMethodEvents(t: TestServer, pmId: string) {
  const rows = await t.server.services.store.db
    .selectFrom('events')
    .selectAll()
    .where('type', 'like', 'payment_method.%')
    .orderBy('seq')
    .execute();
  return rows
    .map((row) => ({ type: row.type, data: JSON.parse(row.data) }))
    .filter((event) => event.data.object.id === pmId);
}
