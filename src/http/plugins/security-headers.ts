import type { FastifyInstance } from 'fastify';

/** One year, as browsers' HSTS preload lists ask for. */
const HSTS_MAX_AGE_SECONDS = 365 * 24 * 3600;

/**
 * Headers that keep browsers from misusing API answers: no MIME sniffing, no referrer leaking
 * ids in URLs, no framing (clickjacking) except for pages whose route sets
 * `config.frame: 'sameorigin'` (the 3-D Secure page is shown in a frame of the payer's checkout
 * on this origin). HSTS is sent whenever the request arrived over HTTPS, which behind a trusted
 * proxy includes `X-Forwarded-Proto: https`.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    const sameOrigin = request.routeOptions.config?.frame === 'sameorigin';
    reply.header('X-Frame-Options', sameOrigin ? 'SAMEORIGIN' : 'DENY');
    if (request.protocol === 'https') {
      reply.header('Strict-Transport-Security', `max-age=${HSTS_MAX_AGE_SECONDS}`);
    }
  });
}
