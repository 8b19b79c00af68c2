import type { FastifyInstance } from 'fastify';
import qs from 'qs';
import { errors } from '../../domain/errors.js';

/**
 * Stripe's bracket notation (`metadata[k]=v`, `expand[]=a`, `expand[0]=a`) for form bodies and
 * query strings. The limits bound the work a hostile request can cause; qs itself is used
 * rather than a hand parser because it implements exactly this notation.
 */
const QS_OPTIONS: qs.IParseOptions = {
  depth: 6,
  arrayLimit: 100,
  parameterLimit: 1000,
  // Null-prototype objects: keys such as `constructor` or `toString` are ordinary parameter names
  // (metadata keys, unknown parameters) rather than dropped, and nothing reaches Object.prototype.
  plainObjects: true,
  allowPrototypes: true,
  strictDepth: true,
  // Beyond the limits, refuse rather than silently drop or reshape parameters.
  throwOnLimitExceeded: true,
};

export function parseBracketed(text: string): Record<string, unknown> {
  try {
    return qs.parse(text, QS_OPTIONS) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/depth/i.test(message)) throw errors.malformedBody('parameters are nested too deeply');
    if (/array/i.test(message)) {
      throw errors.malformedBody(`arrays may have at most ${QS_OPTIONS.arrayLimit} elements`);
    }
    throw errors.malformedBody(`too many parameters (at most ${QS_OPTIONS.parameterLimit})`);
  }
}

/**
 * JSON bodies get the same bound as bracketed ones (depth counts the top-level object), so no
 * later recursive walk (parameter reading, fingerprints) can run out of stack.
 */
const MAX_JSON_DEPTH = (QS_OPTIONS.depth as number) + 2;

/** Nesting depth of a parsed JSON value, computed without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Where a query string's parse failure waits for the onRequest hook below. */
const QUERY_ERROR = Symbol('query parse error');

/**
 * The router's query-string parser. It runs during routing, outside every hook and error
 * handler, so a throw there would crash the process: a failure is carried on the parsed object
 * instead and thrown from onRequest, where it becomes an ordinary 400.
 */
export function parseQueryString(text: string): Record<string | symbol, unknown> {
  try {
    return parseBracketed(text);
  } catch (error) {
    return { [QUERY_ERROR]: error };
  }
}

export function registerBodyParsing(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const failure = (request.query as Record<symbol, unknown> | undefined)?.[QUERY_ERROR];
    if (failure) throw failure;
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        done(null, parseBracketed(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, {});
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(errors.malformedBody('it is not valid JSON'), undefined);
    }
    if (depthOf(parsed) > MAX_JSON_DEPTH) {
      return done(errors.malformedBody('parameters are nested too deeply'), undefined);
    }
    done(null, parsed);
  });
}
