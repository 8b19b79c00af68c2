import assert from 'node:assert/strict';
import Stripe from 'stripe';

/** Runs `fn` and returns the Stripe error it throws. */
export async function stripeError(fn: () => Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new assert.AssertionError({ message: 'expected a Stripe error' });
}
