import { sql, type SelectQueryBuilder } from 'kysely';
import { errors } from '../domain/errors.js';
import type { Database, Tx } from './schema.js';

/** Tables that list newest first with Stripe's cursors. */
export type ListableTable =
  | 'customers'
  | 'payment_methods'
  | 'payment_intents'
  | 'charges'
  | 'refunds'
  | 'balance_transactions'
  | 'customer_transactions'
  | 'events'
  | 'webhook_endpoints'
  | 'webhook_deliveries';

export interface PageRequest {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
}

export interface Page<Row> {
  rows: Row[];
  hasMore: boolean;
}

export interface CreatedRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

type Query = SelectQueryBuilder<Database, any, any>;

/**
 * One page of `table` for `accountId`, newest first by (created, seq). `filter` narrows the
 * query (it must not order or limit it). A cursor that names no row of this account and filter
 * is a 400 resource_missing on the cursor's parameter.
 */
export async function paginate<Row>(
  tx: Tx,
  table: ListableTable,
  accountId: string,
  page: PageRequest,
  filter: (query: Query) => Query = (q) => q,
): Promise<Page<Row>> {
  if (page.startingAfter && page.endingBefore) {
    throw errors.invalidRequest(
      'Received both starting_after and ending_before parameters. Please pass in only one.',
      'ending_before',
    );
  }
  const base = filter((tx as any).selectFrom(table).where('account_id', '=', accountId) as Query);
  const cursorId = page.startingAfter ?? page.endingBefore;
  let query = base.selectAll();
  const backwards = Boolean(page.endingBefore);
  if (cursorId) {
    const cursor = await (tx as any)
      .selectFrom(table)
      .select(['created', 'seq'])
      .where('account_id', '=', accountId)
      .where('id', '=', cursorId)
      .executeTakeFirst();
    if (!cursor) {
      const param = backwards ? 'ending_before' : 'starting_after';
      throw errors.resourceMissing('object', cursorId, param, 400);
    }
    query = backwards
      ? query.where(sql<boolean>`(created, seq) > (${cursor.created}, ${cursor.seq})`)
      : query.where(sql<boolean>`(created, seq) < (${cursor.created}, ${cursor.seq})`);
  }
  const direction = backwards ? 'asc' : 'desc';
  const rows = (await query
    .orderBy('created', direction)
    .orderBy('seq', direction)
    .limit(page.limit + 1)
    .execute()) as Row[];
  const hasMore = rows.length > page.limit;
  const pageRows = rows.slice(0, page.limit);
  if (backwards) pageRows.reverse();
  return { rows: pageRows, hasMore };
}

/** Adds `created` bounds to a list query. */
export function whereCreated(
  query: Query,
  range: CreatedRange | undefined,
  column = 'created',
): Query {
  if (!range) return query;
  if (range.gt !== undefined) query = query.where(column, '>', range.gt);
  if (range.gte !== undefined) query = query.where(column, '>=', range.gte);
  if (range.lt !== undefined) query = query.where(column, '<', range.lt);
  if (range.lte !== undefined) query = query.where(column, '<=', range.lte);
  return query;
}
