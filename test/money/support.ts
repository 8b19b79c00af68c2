import Stripe from 'stripe';

export { stripeError } from '../helpers/stripe-error.js';

export interface PaymentOptions {
  amount: number;
  currency?: string;
  paymentMethod?: string;
  manual?: boolean;
  customer?: string;
}

/** Creates and confirms a card payment intent; manual ones stop at requires_capture. */
export function pay(stripe: Stripe, options: PaymentOptions): Promise<Stripe.PaymentIntent> {
  return stripe.paymentIntents.create({
    amount: options.amount,
    currency: options.currency ?? 'usd',
    payment_method: options.paymentMethod ?? 'pm_card_visa',
    capture_method: options.manual ? 'manual' : 'automatic',
    customer: options.customer,
    confirm: true,
  });
}

/** Every item of a list, following has_more (the SDK's auto-pagination). */
export async function all<T>(list: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of list) items.push(item);
  return items;
}

/** Sums of balance transaction nets per currency, split by status, as the balance shows them. */
export function netsByStatus(transactions: Stripe.BalanceTransaction[]) {
  const sums: Record<string, { available: number; pending: number }> = {};
  for (const txn of transactions) {
    const sum = (sums[txn.currency] ??= { available: 0, pending: 0 });
    sum[txn.status === 'available' ? 'available' : 'pending'] += txn.net;
  }
  for (const [currency, s] of Object.entries(sums)) {
    if (s.available === 0 && s.pending === 0) delete sums[currency];
  }
  return sums;
}

/** The balance object as the same per-currency shape, leaving out all-zero currencies. */
export function balanceByCurrency(balance: Stripe.Balance) {
  const sums: Record<string, { available: number; pending: number }> = {};
  for (const f of balance.available)
    (sums[f.currency] ??= { available: 0, pending: 0 }).available = f.amount;
  for (const f of balance.pending)
    (sums[f.currency] ??= { available: 0, pending: 0 }).pending = f.amount;
  for (const [currency, s] of Object.entries(sums)) {
    if (s.available === 0 && s.pending === 0) delete sums[currency];
  }
  return sums;
}
