/** Stripe's list object. `url` is the collection's path without a query string. */
export function listEnvelope(url: string, data: unknown[], hasMore: boolean) {
  return { object: 'list' as const, data, has_more: hasMore, url };
}

/** Parses JSON text columns; the store keeps JSON as text on both databases. */
export function json<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** Integer 0/1 columns as booleans. */
export function bool(value: number): boolean {
  return value === 1 || (value as unknown) === true;
}
