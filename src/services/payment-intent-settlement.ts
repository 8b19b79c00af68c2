import { errors } from '../domain/errors.js';
import { assertTransition, type PaymentIntentStatus } from '../domain/payment-intent.js';
import { findChargeByAccountAndId } from '../store/repositories/charges.js';
import type { PaymentIntentRow } from '../store/repositories/payment-intents.js';
import type { Tx } from '../store/schema.js';
import { paymentIntentToWire } from '../wire/payment-intents.js';
import { captureCharge, releaseCharge } from './charges.js';
import { requirePaymentIntent } from './confirm-payment-intent.js';
import type { CallContext } from './context.js';
import { emitEvent } from './events.js';
import { transitionIntent } from './payment-attempts.js';

/** Ending an authorised payment: capturing its money, or canceling the intent (§4.3). */
export interface CaptureInput {
  amount_to_capture?: number;
}

/** Captures an authorised intent, fully or partly. Emits charge.captured, then succeeded. */
export async function capturePaymentIntent(
  tx: Tx,
  ctx: CallContext,
  id: string,
  input: CaptureInput,
): Promise<PaymentIntentRow> {
  // Locked until commit: a concurrent update waits rather than failing the compare-and-set.
  const intent = await requirePaymentIntent(tx, ctx.accountId, id, { lock: true });
  assertTransition(
    'capture',
    intent.status as PaymentIntentStatus,
    {},
    {
      payment_intent: paymentIntentToWire(intent),
    },
  );
  const amount = input.amount_to_capture ?? intent.amount_capturable;
  if (amount > intent.amount_capturable) {
    throw errors.amountTooLarge(
      `The amount_to_capture (${amount}) may not exceed the amount_capturable ` +
        `(${intent.amount_capturable}).`,
      'amount_to_capture',
    );
  }

  const after = await transitionIntent(tx, ctx, intent, 'capture', {
    status: 'succeeded',
    amount_received: amount,
    amount_capturable: 0,
  });
  // Locked: a concurrent charge update (metadata, a refund) waits instead of failing the capture.
  const charge = await findChargeByAccountAndId(tx, ctx.accountId, intent.latest_charge_id!, {
    lock: true,
  });
  if (!charge) throw errors.resourceMissing('charge', String(intent.latest_charge_id));
  await captureCharge(tx, ctx, charge, amount);
  await emitEvent(tx, ctx, 'payment_intent.succeeded', paymentIntentToWire(after));
  return after;
}

export interface CancelInput {
  cancellation_reason?: string | null;
}

/** Cancels an intent; an authorised, uncaptured charge is released (§4.3). */
export async function cancelPaymentIntent(
  tx: Tx,
  ctx: CallContext,
  id: string,
  input: CancelInput,
): Promise<PaymentIntentRow> {
  const intent = await requirePaymentIntent(tx, ctx.accountId, id, { lock: true });
  assertTransition(
    'cancel',
    intent.status as PaymentIntentStatus,
    {},
    {
      payment_intent: paymentIntentToWire(intent),
    },
  );

  const after = await transitionIntent(tx, ctx, intent, 'cancel', {
    status: 'canceled',
    canceled_at: ctx.now,
    cancellation_reason: input.cancellation_reason ?? null,
    amount_capturable: 0,
    next_action: null,
  });
  if (intent.status === 'requires_capture' && intent.latest_charge_id) {
    const charge = await findChargeByAccountAndId(tx, ctx.accountId, intent.latest_charge_id, {
      lock: true,
    });
    if (charge) await releaseCharge(tx, ctx, charge);
  }
  await emitEvent(tx, ctx, 'payment_intent.canceled', paymentIntentToWire(after));
  return after;
}
