import { assert } from './assert.js';
import { errors } from './errors.js';
import { formatAmount } from './money.js';

/** What the refund rules need to know about a charge. */
export interface RefundableCharge {
  id: string;
  status: string;
  captured: boolean;
  refunded: boolean;
  amount: number;
  amountCaptured: number;
  amountRefunded: number;
  currency: string;
}

/**
 * A refund the rules allow: money going back (`refund`, of captured funds) or an uncaptured
 * authorisation let go (`release`, always of the whole amount, moving no money).
 */
export type RefundPlan = { kind: 'refund'; amount: number } | { kind: 'release'; amount: number };

export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

/**
 * Decides whether `requested` (or, when absent, everything left) may be refunded from `charge`
 * (Stripe §15). Checked in this order: the charge failed; nothing is left to refund; an
 * uncaptured charge may only be released whole; the amount exceeds what is left.
 * @throws ApiError (400) naming `charge` or `amount`, changing nothing.
 */
export function planRefund(charge: RefundableCharge, requested: number | undefined): RefundPlan {
  assert(requested === undefined || (Number.isSafeInteger(requested) && requested > 0), 'amount');
  assert(charge.amountRefunded <= charge.amount, 'charge refunded more than its amount');

  if (charge.status !== 'succeeded') {
    throw errors.invalidRequest(
      `Charge ${charge.id} cannot be refunded because its payment did not succeed.`,
      'charge',
    );
  }
  const remaining = charge.captured ? charge.amountCaptured - charge.amountRefunded : charge.amount;
  if (charge.refunded || remaining <= 0) {
    throw errors.invalidRequest(
      `Charge ${charge.id} has already been refunded.`,
      'charge',
      'charge_already_refunded',
    );
  }
  if (!charge.captured) {
    if (requested !== undefined && requested !== charge.amount) {
      throw errors.invalidRequest(
        'You cannot partially refund an uncaptured charge. Instead, capture the charge for an ' +
          'amount less than the original amount.',
        'amount',
      );
    }
    return { kind: 'release', amount: charge.amount };
  }
  if (requested !== undefined && requested > remaining) {
    throw errors.invalidRequest(
      `Refund amount (${formatAmount(requested, charge.currency)}) is greater than unrefunded ` +
        `amount on charge (${formatAmount(remaining, charge.currency)})`,
      'amount',
    );
  }
  return { kind: 'refund', amount: requested ?? remaining };
}
