import { errors } from './errors.js';

export type Metadata = Record<string, string>;

const MAX_KEYS = 50;
const MAX_KEY_LENGTH = 40;
const MAX_VALUE_LENGTH = 500;

/**
 * Validates a metadata update and merges it into the current metadata, as Stripe does: keys not
 * sent are kept, an empty value removes its key, and an empty string for the whole object
 * removes every key.
 * @throws ApiError (param `metadata`) on a non-object, too many keys, or over-long keys/values.
 */
export function mergeMetadata(current: Metadata, update: unknown): Metadata {
  if (update === undefined) return current;
  if (update === '' || update === null) return {};
  if (typeof update !== 'object' || Array.isArray(update)) {
    throw errors.invalidRequest(
      'Invalid metadata: must be an object of string keys and values.',
      'metadata',
    );
  }
  const merged: Metadata = { ...current };
  for (const [key, raw] of Object.entries(update as Record<string, unknown>)) {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH || /[[\]]/.test(key)) {
      throw errors.invalidRequest(
        `Invalid key: metadata keys must be strings under ${MAX_KEY_LENGTH} characters without square brackets.`,
        'metadata',
      );
    }
    if (raw === '' || raw === null) {
      delete merged[key];
      continue;
    }
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      throw errors.invalidRequest(
        `Invalid value for metadata key ${key}: must be a string.`,
        `metadata[${key}]`,
      );
    }
    const value = String(raw);
    if (value.length > MAX_VALUE_LENGTH) {
      throw errors.invalidRequest(
        `Metadata values can have up to ${MAX_VALUE_LENGTH} characters, but you passed in a value that is ${value.length} characters.`,
        `metadata[${key}]`,
      );
    }
    merged[key] = value;
  }
  const count = Object.keys(merged).length;
  if (count > MAX_KEYS) {
    throw errors.invalidRequest(
      `Metadata can have up to ${MAX_KEYS} keys, but you've set ${count}.`,
      'metadata',
    );
  }
  return merged;
}
