import { errors } from './errors.js';
import { isKnownEventType } from './event-types.js';
import { randomBase62 } from './ids.js';

/** Stripe's limit of webhook endpoints per account (stripe-semantics §14.2). */
export const MAX_WEBHOOK_ENDPOINTS = 16;

/** A new signing secret: `whsec_` + 32 base62 characters. */
export function newWebhookSecret(): string {
  return `whsec_${randomBase62(32)}`;
}

/**
 * Checks an endpoint URL: absolute http(s) with a host, no credentials.
 * @throws ApiError url_invalid (param `url`).
 */
export function checkEndpointUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const ok =
    parsed !== undefined &&
    (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
    parsed.hostname !== '' &&
    parsed.username === '' &&
    parsed.password === '';
  if (!ok) throw errors.invalidRequest(`Invalid URL: ${url}`, 'url', 'url_invalid');
}

/**
 * Checks `enabled_events`: at least one, each `*` or a known event type, no duplicates kept.
 * @throws ApiError naming `enabled_events` or the offending `enabled_events[i]`.
 */
export function checkEnabledEvents(types: string[]): string[] {
  if (types.length === 0) {
    throw errors.invalidRequest(
      'enabled_events must contain at least one event type.',
      'enabled_events',
    );
  }
  types.forEach((type, i) => {
    if (type !== '*' && !isKnownEventType(type)) {
      throw errors.invalidRequest(
        `Invalid enabled_events[${i}]: must be '*' or a known event type, not '${type}'.`,
        `enabled_events[${i}]`,
      );
    }
  });
  return [...new Set(types)];
}
