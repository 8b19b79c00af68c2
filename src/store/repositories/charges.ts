import type { Insertable, Selectable, Updateable } from 'kysely';
import type { ChargesTable, Tx } from '../schema.js';
import { paginate, whereCreated, type CreatedRange, type PageRequest } from '../pagination.js';
import { forUpdate } from '../store.js';

export type ChargeRow = Selectable<ChargesTable>;

/** `lock` holds the row (PostgreSQL FOR UPDATE) until the transaction ends. */
export function findChargeByAccountAndId(
  tx: Tx,
  accountId: string,
  id: string,
  options: { lock?: boolean } = {},
) {
  const query = tx
    .selectFrom('charges')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id);
  return (options.lock ? forUpdate(tx, query) : query).executeTakeFirst();
}

export function insertCharge(tx: Tx, row: Insertable<ChargesTable>): Promise<ChargeRow> {
  return tx.insertInto('charges').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Compare-and-set on the charge's version, like payment intents; undefined when it lost. */
export function updateChargeIfVersion(
  tx: Tx,
  accountId: string,
  id: string,
  version: number,
  patch: Updateable<ChargesTable>,
): Promise<ChargeRow | undefined> {
  return tx
    .updateTable('charges')
    .set({ ...patch, version: version + 1 })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
}

export interface ChargeFilter {
  customer?: string;
  paymentIntent?: string;
  created?: CreatedRange;
}

export function listChargesByAccount(
  tx: Tx,
  accountId: string,
  filter: ChargeFilter,
  page: PageRequest,
) {
  return paginate<ChargeRow>(tx, 'charges', accountId, page, (q) => {
    if (filter.customer !== undefined) q = q.where('customer_id', '=', filter.customer);
    if (filter.paymentIntent !== undefined) {
      q = q.where('payment_intent_id', '=', filter.paymentIntent);
    }
    return whereCreated(q, filter.created);
  });
}

/**
 * Whether this payment method paid an intent that asked to set it up for future use
 * (`setup_future_usage`): the card then counts as authenticated for off-session payments.
 */
export async function hasSetupPaymentByPaymentMethod(
  tx: Tx,
  accountId: string,
  paymentMethodId: string,
): Promise<boolean> {
  const row = await tx
    .selectFrom('charges')
    .innerJoin('payment_intents', 'payment_intents.id', 'charges.payment_intent_id')
    .select('charges.id')
    .where('charges.account_id', '=', accountId)
    .where('charges.payment_method_id', '=', paymentMethodId)
    .where('charges.status', '=', 'succeeded')
    .where('payment_intents.setup_future_usage', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
