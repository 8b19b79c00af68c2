import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Duplex } from 'node:stream';
import { ApiError, errors } from '../../domain/errors.js';
import { isLockTimeout } from '../../store/store.js';

/**
 * Turns every failure into Stripe's error envelope. ApiErrors are expected outcomes and pass
 * through; a database that could not get a lock in time (or kept hitting conflicts) is Stripe's
 * retryable 429 lock_timeout; Fastify's own parsing failures become 400s naming the problem;
 * anything else is a bug and becomes a generic 500 carrying the request id, with the detail kept
 * for the log.
 */
export function toApiError(error: unknown, requestId: string, contentType?: string): ApiError {
  if (error instanceof ApiError) return error;
  if (isLockTimeout(error)) return errors.lockTimeout();
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedContentType((contentType || 'unknown').slice(0, 100));
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.bodyTooLarge();
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errors.malformedBody(fastifyError.message);
  }
  if (error instanceof SyntaxError) return errors.malformedBody('it is not valid JSON');
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return errors.invalidRequest(fastifyError.message);
  }
  return errors.internal(requestId);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error, request.id, request.headers['content-type']);
    // Logged once here; the completion line follows. The serializer keeps message and stack only.
    if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
    // Frequent lock timeouts mean contention or an undersized pool: worth seeing in the log.
    else if (apiError.code === 'lock_timeout') request.log.warn({ err: error }, 'lock timeout');
    reply.status(apiError.status).send(apiError.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const apiError = errors.unrecognizedUrl(request.method, path);
    reply.status(apiError.status).send(apiError.toBody());
  });
}

/**
 * Requests Node refuses before Fastify sees them (headers too large, unparsable HTTP, timeouts)
 * still get Stripe's error envelope, written straight to the socket.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'Request headers are too large.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request took too long to arrive.']
        : [400, 'Bad Request', 'The request could not be parsed as HTTP.'];
  const body = JSON.stringify({ error: { type: 'invalid_request_error', message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Errors Fastify's router raises before any hook runs: a malformed percent-encoding or a path
 * segment longer than the router accepts. Answered in Stripe's shape like every other refusal.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const apiError =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? errors.invalidRequest('Invalid id: an object id is at most 255 characters long.', 'id')
      : error.code === 'FST_ERR_BAD_URL'
        ? errors.invalidRequest('Invalid request URL: it is not validly percent-encoded.')
        : toApiError(error, request.id);
  reply.header('Request-Id', request.id).status(apiError.status).send(apiError.toBody());
}
