/**
 * Log paths pino replaces with `[redacted]`: API keys in headers, card data and secrets in
 * bodies. Request logging records only method, URL, status and timing, so these are the second
 * line of defence for anything that logs a request or error object.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'request.headers.authorization',
  '*.card.number',
  '*.card.cvc',
  'body.card',
  'body.payment_method_data',
  'body.client_secret',
  '*.client_secret',
  '*.secret',
  'secret_key',
  'publishable_key',
];
