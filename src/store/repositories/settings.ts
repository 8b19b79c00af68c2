import type { Tx } from '../schema.js';

/**
 * The setting `name`, created with `initial()` when missing. Safe when several processes start
 * at once: the first insert wins and everyone reads the winner's value.
 */
export async function findOrCreateSetting(
  tx: Tx,
  name: string,
  initial: () => string,
): Promise<string> {
  await tx
    .insertInto('settings')
    .values({ name, value: initial() })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  const row = await tx
    .selectFrom('settings')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.value;
}
