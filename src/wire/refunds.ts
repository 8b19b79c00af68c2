import {
  listRefundsByAccount,
  findRefundByAccountAndId,
  type RefundRow,
} from '../store/repositories/refunds.js';
import { registerExpansion, registerVirtualField } from './expand.js';
import { json, listEnvelope } from './list.js';

/** A refund in Stripe's shape (§3.6). */
export function refundToWire(row: RefundRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'refund',
    amount: row.amount,
    balance_transaction: row.balance_transaction_id,
    charge: row.charge_id,
    created: row.created,
    currency: row.currency,
    // A released authorisation is a reversal at the network; captured money is refunded.
    destination_details: {
      type: 'card',
      card: { type: row.balance_transaction_id === null ? 'reversal' : 'refund' },
    },
    metadata: json(row.metadata),
    payment_intent: row.payment_intent_id,
    reason: row.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: row.status,
    transfer_reversal: null,
  };
}

/** Refunds shown inside an expanded charge, as Stripe shows the first page. */
const EMBEDDED_REFUNDS = 10;

/** The `refunds` list of a charge, which exists only when expanded (§3.5). */
export async function chargeRefundsList(
  tx: Parameters<typeof listRefundsByAccount>[0],
  accountId: string,
  chargeId: string,
) {
  const page = await listRefundsByAccount(
    tx,
    accountId,
    { charge: chargeId },
    { limit: EMBEDDED_REFUNDS },
  );
  return listEnvelope(`/v1/charges/${chargeId}/refunds`, page.rows.map(refundToWire), page.hasMore);
}

registerExpansion(
  're',
  'refund',
  async (tx, accountId, id) => {
    const row = await findRefundByAccountAndId(tx, accountId, id);
    return row && refundToWire(row);
  },
  ['balance_transaction', 'charge', 'payment_intent'],
);

registerVirtualField('charge', 'refunds', (tx, accountId, charge) =>
  chargeRefundsList(tx, accountId, String(charge.id)),
);
