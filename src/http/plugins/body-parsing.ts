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
  allowPrototypes: false,
  strictDepth: true,
};

export function parseBracketed(text: string): Record<string, unknown> {
  try {
    return qs.parse(text, QS_OPTIONS) as Record<string, unknown>;
  } catch {
    throw errors.malformedBody('parameters are nested too deeply');
  }
}

export function registerBodyParsing(app: FastifyInstance): void {
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
    try {
      done(null, JSON.parse(text));
    } catch {
      done(errors.malformedBody('it is not valid JSON'), undefined);
    }
  });
}
