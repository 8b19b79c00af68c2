import type { FastifyInstance } from 'fastify';

/**
 * One completion line per request, in place of Fastify's two default lines: the request's child
 * logger already carries request_id (and account once authenticated). Nothing from the URL's
 * query, the headers or the body is written; the route is the pattern, not the path, so ids in
 * URLs stay out of the log too.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const line = {
      ...(request.apiKey ? {} : { account: null }),
      method: request.method,
      route: request.routeOptions.url ?? null,
      status,
      duration_ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (status >= 500) request.log.error(line, 'request completed');
    else request.log.info(line, 'request completed');
  });
}
