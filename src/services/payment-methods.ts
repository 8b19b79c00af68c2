import type { Selectable } from 'kysely';
import type { PaymentMethodsTable, Tx } from '../store/schema.js';
import type { CallContext, Services } from './context.js';

export type PaymentMethodRow = Selectable<PaymentMethodsTable>;

export interface CardInput {
  number: string;
  exp_month: number;
  exp_year: number;
  cvc?: string;
}

/**
 * A payment method of this account usable for a payment: a `pm_…` id (resource_missing on
 * `param` otherwise, and refused once detached), or a Stripe test name (`pm_card_visa`) or test
 * token (`tok_visa`), each use of which creates a new payment method.
 */
export async function resolvePaymentMethod(
  _tx: Tx,
  _ctx: CallContext,
  _services: Services,
  _reference: string,
  _param: string,
): Promise<PaymentMethodRow> {
  throw new Error('TODO: being written (payment methods branch)');
}

/** Creates a card payment method from raw details (`payment_method_data[card]`). */
export async function createCardPaymentMethod(
  _tx: Tx,
  _ctx: CallContext,
  _services: Services,
  _card: CardInput,
  _param: string,
): Promise<PaymentMethodRow> {
  throw new Error('TODO: being written (payment methods branch)');
}
