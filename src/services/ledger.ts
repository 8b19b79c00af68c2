import type { Selectable } from 'kysely';
import type { ChargesTable, Tx } from '../store/schema.js';
import type { CallContext } from './context.js';

export type ChargeRow = Selectable<ChargesTable>;

/**
 * Records the money a captured charge moved: its balance transaction (fee, net, available_on)
 * and the balanced ledger posting, in the caller's transaction. Returns the balance
 * transaction's id, for `charge.balance_transaction`.
 */
export async function recordChargeCaptured(
  _tx: Tx,
  _ctx: CallContext,
  _charge: ChargeRow,
  _options: { bypassPending: boolean },
): Promise<string | null> {
  // TODO: being written on the money branch (issue 3); until then charges carry no balance transaction.
  return null;
}
