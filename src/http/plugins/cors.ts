import type { FastifyInstance } from 'fastify';

/**
 * What a browser holding only a publishable key may call from another origin (Stripe.js's
 * role): create a payment method, read a payment intent by its client secret, confirm it.
 * Every other route sends no CORS headers, so browsers refuse to let other origins read them.
 */
export const BROWSER_ROUTES: ReadonlyArray<{ method: string; url: string }> = [
  { method: 'POST', url: '/v1/payment_methods' },
  { method: 'GET', url: '/v1/payment_intents/:id' },
  { method: 'POST', url: '/v1/payment_intents/:id/confirm' },
];

const ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key, Stripe-Version';
const EXPOSE_HEADERS = 'Request-Id';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

function isBrowserRoute(method: string, url: string | undefined): boolean {
  return BROWSER_ROUTES.some((r) => r.method === method && r.url === url);
}

/**
 * Answers preflights for BROWSER_ROUTES and marks their answers readable by any origin. `*` is
 * safe here because the key travels in the Authorization header, never in cookies, so another
 * origin can do nothing the key's holder could not already do.
 */
export function registerCors(app: FastifyInstance): void {
  const urls = [...new Set(BROWSER_ROUTES.map((r) => r.url))];
  for (const url of urls) {
    const methods = BROWSER_ROUTES.filter((r) => r.url === url).map((r) => r.method);
    app.options(url, { config: { auth: 'none' } }, async (_request, reply) => {
      return reply
        .status(204)
        .header('Access-Control-Allow-Origin', '*')
        .header('Access-Control-Allow-Methods', methods.join(', '))
        .header('Access-Control-Allow-Headers', ALLOW_HEADERS)
        .header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS))
        .send();
    });
  }

  app.addHook('onRequest', async (request, reply) => {
    if (!isBrowserRoute(request.method, request.routeOptions.url)) return;
    reply.header('Access-Control-Allow-Origin', '*');
    reply.header('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  });
}
