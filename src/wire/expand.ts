import { errors } from '../domain/errors.js';
import { idPrefix } from '../domain/ids.js';
import type { Tx } from '../store/schema.js';

type WireObject = Record<string, unknown>;

/** Loads one object's wire form by id, or undefined when this account has no such object. */
export type Loader = (tx: Tx, accountId: string, id: string) => Promise<WireObject | undefined>;
/** Computes a field that exists only when expanded (charge.refunds). */
export type VirtualField = (tx: Tx, accountId: string, object: WireObject) => Promise<unknown>;

const MAX_DEPTH = 4;
const loaders = new Map<string, Loader>();
const expandable = new Map<string, Set<string>>();
const virtualFields = new Map<string, Map<string, VirtualField>>();

/**
 * Declares how to expand ids with `prefix`, and which fields of `objectType` may be expanded.
 * Each resource's wire module calls this once at import. Fields add to those already declared
 * for the type, so another module may add a field (see registerVirtualField) in any import order.
 */
export function registerExpansion(
  prefix: string,
  objectType: string,
  loader: Loader,
  fields: string[],
  virtual: Record<string, VirtualField> = {},
): void {
  loaders.set(prefix, loader);
  for (const field of fields) declareField(objectType, field);
  for (const [field, compute] of Object.entries(virtual))
    registerVirtualField(objectType, field, compute);
}

function declareField(objectType: string, field: string): void {
  const fields = expandable.get(objectType) ?? new Set<string>();
  fields.add(field);
  expandable.set(objectType, fields);
}

/**
 * Adds a field that exists only when expanded to `objectType`, from a module other than the
 * type's own (the refunds module adds `refunds` to charges).
 */
export function registerVirtualField(
  objectType: string,
  field: string,
  compute: VirtualField,
): void {
  declareField(objectType, field);
  const fields = virtualFields.get(objectType) ?? new Map<string, VirtualField>();
  fields.set(field, compute);
  virtualFields.set(objectType, fields);
}

/** Loads any object by its id's prefix (for expansion and event data). */
export async function loadById(
  tx: Tx,
  accountId: string,
  id: string,
): Promise<WireObject | undefined> {
  const loader = loaders.get(idPrefix(id) ?? '');
  return loader ? loader(tx, accountId, id) : undefined;
}

function cannotExpand(path: string): never {
  throw errors.invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
}

/** Checks the paths before any work: depth, characters. */
export function checkExpandPaths(paths: string[] | undefined): void {
  for (const path of paths ?? []) {
    const segments = path.split('.');
    if (segments.length > MAX_DEPTH) {
      throw errors.invalidRequest(
        `You cannot expand more than ${MAX_DEPTH} levels of a property. Property: ${path}`,
        'expand',
      );
    }
    if (segments.some((s) => !/^[a-z_]+$/.test(s))) cannotExpand(path);
  }
}

/** Whose objects an expansion may load, and which kinds the caller may read. */
export interface ExpandScope {
  accountId: string;
  /** Throws when the caller may not read objects of this type (restricted keys). */
  checkRead?: (objectType: string) => void;
}

/** Expands `paths` (Stripe's dotted `expand[]`) in place on a wire object, and returns it. */
export async function expandObject(
  tx: Tx,
  scope: ExpandScope,
  object: WireObject,
  paths: string[] | undefined,
): Promise<WireObject> {
  for (const path of paths ?? []) await expandPath(tx, scope, object, path.split('.'), path);
  return object;
}

/** Expands `data.x` paths on every item of a list; other paths on a list are refused. */
export async function expandList(
  tx: Tx,
  scope: ExpandScope,
  items: WireObject[],
  paths: string[] | undefined,
): Promise<void> {
  for (const path of paths ?? []) {
    const [head, ...rest] = path.split('.');
    if (head !== 'data' || rest.length === 0) cannotExpand(path);
    for (const item of items) await expandPath(tx, scope, item, rest, path);
  }
}

/** An expanded object, or a list's items, must be of a kind the caller may read. */
function checkReadable(scope: ExpandScope, value: unknown): void {
  if (!scope.checkRead || value === null || typeof value !== 'object') return;
  const object = value as WireObject;
  const items = object.object === 'list' ? (object.data as WireObject[]) : [object];
  for (const item of items) scope.checkRead(String(item.object));
}

async function expandPath(
  tx: Tx,
  scope: ExpandScope,
  object: WireObject,
  segments: string[],
  fullPath: string,
): Promise<void> {
  const [field, ...rest] = segments;
  const type = String(object.object ?? '');
  const virtual = virtualFields.get(type)?.get(field);
  let value = object[field];
  const { accountId } = scope;
  if (virtual) {
    if (!value) value = object[field] = await virtual(tx, accountId, object);
    checkReadable(scope, value);
  } else if (!(field in object)) {
    cannotExpand(fullPath);
  } else if (typeof value === 'string' || value === null || rest.length === 0) {
    // Only declared id fields expand; plain nested objects may only be walked through.
    if (!expandable.get(type)?.has(field)) cannotExpand(fullPath);
    if (typeof value === 'string') {
      value = object[field] = (await loadById(tx, accountId, value)) ?? value;
      checkReadable(scope, value);
    }
  }
  if (rest.length === 0 || value === null || typeof value !== 'object') return;
  if (Array.isArray((value as WireObject).data) && (value as WireObject).object === 'list') {
    for (const item of (value as { data: WireObject[] }).data)
      await expandPath(tx, scope, item, rest, fullPath);
    return;
  }
  await expandPath(tx, scope, value as WireObject, rest, fullPath);
}
