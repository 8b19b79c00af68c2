import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errors } from '../domain/errors.js';
import type { Tx } from '../store/schema.js';
import { isCommittedUnsynced } from '../store/group-commit.js';
import { isUniqueViolation, type Store } from '../store/store.js';
import { toApiError } from './plugins/errors.js';

/** What a mutation answers: a status and a JSON body (an error body for committed declines). */
export interface Outcome {
  status: number;
  body: unknown;
}

/** A started key whose request has not finished after this long is taken to have died. */
const LEASE_MS = 60_000;
const MAX_KEY_LENGTH = 255;

/** JSON with sorted keys, so the same parameters always hash alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : 1,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function fingerprintOf(params: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(params ?? {}))
    .digest('hex');
}

function requestPath(request: FastifyRequest): string {
  return request.url.split('?')[0];
}

export interface MutationOptions<P = undefined> {
  /**
   * What the idempotency fingerprint hashes instead of the raw body: bodies with card numbers
   * pass a copy with keyed digests in their place (http/card-params.ts), since a plain hash of
   * a number whose last four digits are known can be reversed by trying every number.
   */
  fingerprintParams?: unknown;
  /**
   * Runs after the key is claimed and before the transaction opens: the place for work that
   * must not hold a database lock (the card processor's decision). Its result is handed to
   * `work`, and its 4xx errors are stored for the key like the work's own.
   */
  prepare?: () => Promise<P>;
}

/**
 * Runs a state-changing request in one database transaction and, when the request carries an
 * `Idempotency-Key`, applies Stripe's semantics: the key is claimed before the work starts (a
 * concurrent request with it gets 409), the answer is stored in the same transaction as the
 * work, and a retry with the same parameters replays it. A request that fails after claiming
 * with a 4xx keeps that answer; one whose transaction rolled back otherwise releases the key,
 * since retrying it is safe. One that committed but whose sync to disk failed keeps it.
 */
export async function runMutation<P = undefined>(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (tx: Tx, prepared: P) => Promise<Outcome>,
  options: MutationOptions<P> = {},
): Promise<FastifyReply> {
  const header = request.headers['idempotency-key'];
  const key = typeof header === 'string' && request.method === 'POST' ? header : undefined;
  const prepare = async () => (options.prepare ? await options.prepare() : undefined) as P;
  if (key === undefined) {
    const prepared = await prepare();
    const outcome = await store.transaction((tx) => work(tx, prepared));
    return reply.status(outcome.status).send(outcome.body);
  }
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw errors.invalidRequest(
      `Idempotency keys must be between 1 and ${MAX_KEY_LENGTH} characters long.`,
      'idempotency_key',
    );
  }
  reply.header('Idempotency-Key', key);
  const accountId = request.apiKey!.accountId;
  const replay = await claimKey(store, request, accountId, key, options.fingerprintParams);
  if (replay) {
    return reply
      .status(replay.status)
      .header('Idempotent-Replayed', 'true')
      .header('Original-Request', replay.requestId)
      .type('application/json')
      .send(replay.body);
  }

  // Only while this request still holds the key: after a lease expiry another request may have
  // reclaimed it, and then this one must not commit a second effect.
  const keyRow = (tx: Tx) =>
    tx
      .updateTable('idempotency_keys')
      .where('account_id', '=', accountId)
      .where('key', '=', key)
      .where('status', '=', 'started')
      .where('request_id', '=', request.id);
  try {
    const prepared = await prepare();
    const outcome = await store.transaction(async (tx) => {
      const result = await work(tx, prepared);
      const stored = await keyRow(tx)
        .set({
          status: 'completed',
          response_status: result.status,
          response_body: JSON.stringify(result.body),
        })
        .executeTakeFirst();
      // Rolls the work back: the key was reclaimed by a retry, which does the work instead.
      if (Number(stored.numUpdatedRows) !== 1) throw errors.idempotencyInUse();
      return result;
    });
    return reply.status(outcome.status).send(outcome.body);
  } catch (error) {
    // Committed but not known to be on disk: the stored answer stands, so the key must too.
    if (isCommittedUnsynced(error)) throw error;
    const apiError = toApiError(error, request.id);
    if (apiError.code === 'idempotency_key_in_use') throw error;
    if (keepsKey(apiError)) {
      await store.transaction((tx) =>
        keyRow(tx)
          .set({
            status: 'completed',
            response_status: apiError.status,
            response_body: JSON.stringify(apiError.toBody()),
          })
          .execute(),
      );
    } else {
      await store.db
        .deleteFrom('idempotency_keys')
        .where('account_id', '=', accountId)
        .where('key', '=', key)
        .where('status', '=', 'started')
        .where('request_id', '=', request.id)
        .execute();
    }
    throw error;
  }
}

/** 4xx business answers are part of the request's result; rate limits and conflicts are not. */
function keepsKey(error: ApiError): boolean {
  return error.status >= 400 && error.status < 500 && error.status !== 429 && error.status !== 409;
}

interface Replay {
  status: number;
  body: string;
  requestId: string;
}

/** Claims the key for this request, or returns the stored answer to replay, or throws. */
async function claimKey(
  store: Store,
  request: FastifyRequest,
  accountId: string,
  key: string,
  fingerprintParams: unknown,
): Promise<Replay | undefined> {
  const fingerprint = fingerprintOf(fingerprintParams ?? request.body);
  const path = requestPath(request);
  const nowMs = Date.now();
  try {
    await store.db
      .insertInto('idempotency_keys')
      .values({
        account_id: accountId,
        key,
        fingerprint,
        method: request.method,
        path,
        status: 'started',
        response_status: null,
        response_body: null,
        request_id: request.id,
        created: request.receivedAt,
        locked_at: nowMs,
      })
      .execute();
    return undefined;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }

  const existing = await store.db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('key', '=', key)
    .executeTakeFirst();
  // Deleted between our insert and this read: the other request failed and released it.
  if (!existing) return claimKey(store, request, accountId, key, fingerprintParams);
  if (existing.path !== path || existing.method !== request.method) {
    throw errors.idempotencyMismatch(
      'Keys for idempotent requests can only be used for the same endpoint they were first used ' +
        `for ('${existing.method} ${existing.path}' vs '${request.method} ${path}'). Try using a key ` +
        "other than '" +
        key +
        "' if you meant to execute a different request.",
    );
  }
  if (existing.fingerprint !== fingerprint) {
    throw errors.idempotencyMismatch(
      'Keys for idempotent requests can only be used with the same parameters they were first ' +
        `used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    );
  }
  if (existing.status === 'completed') {
    return {
      status: existing.response_status!,
      body: existing.response_body!,
      requestId: existing.request_id,
    };
  }
  if (existing.locked_at > nowMs - LEASE_MS) throw errors.idempotencyInUse();
  const reclaimed = await store.db
    .updateTable('idempotency_keys')
    .set({ locked_at: nowMs, request_id: request.id })
    .where('account_id', '=', accountId)
    .where('key', '=', key)
    .where('status', '=', 'started')
    .where('locked_at', '=', existing.locked_at)
    .executeTakeFirst();
  if (Number(reclaimed.numUpdatedRows) !== 1) throw errors.idempotencyInUse();
  return undefined;
}
