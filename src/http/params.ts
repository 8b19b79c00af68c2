import { errors } from '../domain/errors.js';

/**
 * Declarative readers for Stripe-style parameters. Form bodies carry every scalar as a string,
 * JSON bodies carry native types; each reader accepts both and names the offending parameter in
 * bracket notation (`shipping[address][city]`) when it refuses a value.
 */
export interface Field<T> {
  read(value: unknown, param: string): T;
  required?: boolean;
}

export type Spec = Record<string, Field<unknown>>;
type Value<F> = F extends Field<infer T> ? T : never;
export type Parsed<S extends Spec> = { [K in keyof S]?: Value<S[K]> } & { expand?: string[] };

const MAX_EXPAND = 20;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `raw` against `spec`: unknown keys, missing required keys and bad values are 400s. */
export function parseParams<S extends Spec>(raw: unknown, spec: S): Parsed<S> {
  const input = raw ?? {};
  if (!isPlainObject(input)) throw errors.malformedBody('parameters must be an object');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'expand') {
      out.expand = expandField.read(value, 'expand');
      continue;
    }
    const field = spec[key];
    if (!field || !Object.prototype.hasOwnProperty.call(spec, key))
      throw errors.parameterUnknown(key);
    out[key] = field.read(value, key);
  }
  for (const [key, field] of Object.entries(spec)) {
    if (field.required && (out[key] === undefined || out[key] === null)) {
      throw errors.parameterMissing(key);
    }
  }
  return out as Parsed<S>;
}

function required<T>(field: Field<T>): Field<T> {
  return { ...field, required: true };
}

interface StringOptions {
  max?: number;
  /** When false, an empty string is refused with parameter_invalid_empty instead of unsetting. */
  nullable?: boolean;
  pattern?: RegExp;
}

function string(options: StringOptions = {}): Field<string | null> {
  const { max = 5000, nullable = true, pattern } = options;
  return {
    read(value, param) {
      if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
      if (typeof value !== 'string')
        throw errors.invalidRequest(`Invalid string: ${param} must be a string.`, param);
      if (value === '') {
        if (nullable) return null;
        throw errors.parameterInvalidEmpty(param);
      }
      if (value.length > max) {
        throw errors.invalidRequest(
          `Invalid string: ${param} must be at most ${max} characters.`,
          param,
        );
      }
      if (pattern && !pattern.test(value)) {
        throw errors.invalidRequest(`Invalid value for ${param}.`, param);
      }
      return value;
    },
  };
}

/** A string that may not be unset: an empty string is parameter_invalid_empty. */
function text(options: Omit<StringOptions, 'nullable'> = {}): Field<string> {
  return string({ ...options, nullable: false }) as Field<string>;
}

function enumOf<T extends string>(
  values: readonly T[],
  options: { nullable?: boolean } = {},
): Field<T | null> {
  return {
    read(value, param) {
      if (value === '' && options.nullable) return null;
      if (typeof value !== 'string' || !values.includes(value as T)) {
        throw errors.invalidRequest(`Invalid ${param}: must be one of ${values.join(', ')}`, param);
      }
      return value as T;
    },
  };
}

interface IntegerOptions {
  min?: number;
  max?: number;
}

function integer(options: IntegerOptions = {}): Field<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  return {
    read(value, param) {
      let n: number;
      if (typeof value === 'number') n = value;
      else if (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) n = Number(value);
      else if (value === '') throw errors.parameterInvalidEmpty(param);
      else
        throw errors.parameterInvalidInteger(
          param,
          typeof value === 'object' ? JSON.stringify(value) : value,
        );
      if (!Number.isSafeInteger(n)) throw errors.parameterInvalidInteger(param, value);
      if (n < min) {
        throw errors.invalidRequest(
          `Invalid integer: ${param} must be at least ${min}.`,
          param,
          'parameter_invalid_integer',
        );
      }
      if (n > max) {
        throw errors.invalidRequest(
          `Invalid integer: ${param} must be at most ${max}.`,
          param,
          'parameter_invalid_integer',
        );
      }
      return n;
    },
  };
}

function boolean(): Field<boolean> {
  return {
    read(value, param) {
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw errors.invalidRequest(`Invalid boolean: ${JSON.stringify(value)}`, param);
    },
  };
}

/** A nested object; `''` unsets it (null) when nullable. */
function object<S extends Spec>(
  spec: S,
  options: { nullable?: boolean } = {},
): Field<Parsed<S> | null> {
  return {
    read(value, param) {
      if (value === '' && options.nullable !== false) return null;
      if (!isPlainObject(value))
        throw errors.invalidRequest(`Invalid object: ${param} must be an object.`, param);
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        const field = spec[key];
        if (!field || !Object.prototype.hasOwnProperty.call(spec, key)) {
          throw errors.parameterUnknown(`${param}[${key}]`);
        }
        out[key] = field.read(inner, `${param}[${key}]`);
      }
      for (const [key, field] of Object.entries(spec)) {
        if (field.required && (out[key] === undefined || out[key] === null)) {
          throw errors.parameterMissing(`${param}[${key}]`);
        }
      }
      return out as Parsed<S>;
    },
  };
}

/** Arrays arrive as JSON arrays, `a[]=x` lists or `a[0]=x` index maps; all read the same. */
function array<T>(item: Field<T>, options: { max?: number } = {}): Field<T[]> {
  const { max = 100 } = options;
  return {
    read(value, param) {
      let items: unknown[];
      if (Array.isArray(value)) items = value;
      else if (isPlainObject(value) && Object.keys(value).every((k) => /^\d+$/.test(k))) {
        items = Object.keys(value)
          .sort((a, b) => Number(a) - Number(b))
          .map((k) => value[k]);
      } else if (typeof value === 'string' && value !== '') items = [value];
      else if (value === '') items = [];
      else throw errors.invalidRequest(`Invalid array: ${param} must be an array.`, param);
      if (items.length > max) {
        throw errors.invalidRequest(
          `Invalid array: ${param} may have at most ${max} items.`,
          param,
        );
      }
      return items.map((v, i) => item.read(v, `${param}[${i}]`));
    },
  };
}

/** Free-form metadata: its detailed rules live in domain/metadata.ts. */
function metadata(): Field<Record<string, unknown> | ''> {
  return {
    read(value, param) {
      if (value === '') return '';
      if (!isPlainObject(value))
        throw errors.invalidRequest('Invalid metadata: must be an object.', param);
      for (const [key, inner] of Object.entries(value)) {
        if (isPlainObject(inner) || Array.isArray(inner)) {
          throw errors.invalidRequest(
            `Invalid value for metadata key ${key}: must be a string.`,
            `${param}[${key}]`,
          );
        }
      }
      return value;
    },
  };
}

export interface TimestampRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

/** `created=123` (exact) or `created[gt|gte|lt|lte]=123`. */
function timestampRange(): Field<TimestampRange> {
  const bound = integer({ min: 0 });
  return {
    read(value, param) {
      if (!isPlainObject(value)) {
        const exact = bound.read(value, param);
        return { gte: exact, lte: exact };
      }
      const range: TimestampRange = {};
      for (const [key, inner] of Object.entries(value)) {
        if (key !== 'gt' && key !== 'gte' && key !== 'lt' && key !== 'lte') {
          throw errors.parameterUnknown(`${param}[${key}]`);
        }
        range[key] = bound.read(inner, `${param}[${key}]`);
      }
      return range;
    },
  };
}

const expandField = array(text({ max: 500 }), { max: MAX_EXPAND });

export const p = {
  required,
  string,
  text,
  enum: enumOf,
  integer,
  boolean,
  object,
  array,
  metadata,
  timestampRange,
};

/** A postal address (customers, shipping, billing details): every part optional and unsettable. */
export const addressParam = p.object({
  city: p.string({ max: 200 }),
  country: p.string({ max: 2 }),
  line1: p.string({ max: 200 }),
  line2: p.string({ max: 200 }),
  postal_code: p.string({ max: 20 }),
  state: p.string({ max: 200 }),
});

/** The pagination parameters every list endpoint takes. */
export const listParams = {
  limit: p.integer({ min: 1, max: 100 }),
  starting_after: p.text({ max: 255 }),
  ending_before: p.text({ max: 255 }),
};
