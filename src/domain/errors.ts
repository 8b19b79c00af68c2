/**
 * Expected failures of the API, shaped like Stripe's error envelope.
 *
 * Every error a client can see is built by one of the factories below, so the catalog of
 * `type`/`code`/status combinations lives in one place. Bugs are not ApiErrors: they are
 * assertion failures (see assert.ts) and become a generic 500 at the HTTP edge.
 */
export type ErrorType = 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';

export interface ErrorFields {
  type: ErrorType;
  status: number;
  code?: string;
  param?: string;
  message: string;
  decline_code?: string;
  /** Extra keys of the envelope (charge, payment_intent, payment_method) for card errors. */
  extra?: Record<string, unknown>;
}

export class ApiError extends Error {
  readonly type: ErrorType;
  readonly status: number;
  readonly code?: string;
  readonly param?: string;
  readonly declineCode?: string;
  readonly extra?: Record<string, unknown>;

  constructor(fields: ErrorFields) {
    super(fields.message);
    this.name = 'ApiError';
    this.type = fields.type;
    this.status = fields.status;
    this.code = fields.code;
    this.param = fields.param;
    this.declineCode = fields.decline_code;
    this.extra = fields.extra;
  }

  /** The `error` object of the response body, keys absent rather than null (Stripe's shape). */
  toBody(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { type: this.type, message: this.message };
    if (this.code) {
      error.code = this.code;
      error.doc_url = `https://stripe.com/docs/error-codes/${this.code.replace(/_/g, '-')}`;
    }
    if (this.declineCode) error.decline_code = this.declineCode;
    if (this.param) error.param = this.param;
    Object.assign(error, this.extra);
    return { error };
  }
}

const invalid = (status: number, message: string, code?: string, param?: string) =>
  new ApiError({ type: 'invalid_request_error', status, message, code, param });

export const errors = {
  parameterMissing: (param: string) =>
    invalid(400, `Missing required param: ${param}.`, 'parameter_missing', param),
  parameterUnknown: (param: string) =>
    invalid(400, `Received unknown parameter: ${param}`, 'parameter_unknown', param),
  parameterInvalidInteger: (param: string, value: unknown) =>
    invalid(400, `Invalid integer: ${String(value)}`, 'parameter_invalid_integer', param),
  parameterInvalidEmpty: (param: string) =>
    invalid(
      400,
      `You passed an empty string for '${param}'. We assume empty values are an attempt to ` +
        'unset a parameter; however this parameter cannot be unset.',
      'parameter_invalid_empty',
      param,
    ),
  parameterInvalid: (param: string, message: string) =>
    invalid(400, message, 'parameter_invalid', param),
  parametersExclusive: (a: string, b: string) =>
    invalid(
      400,
      `You may only specify one of these parameters: ${a}, ${b}.`,
      'parameters_exclusive',
      a,
    ),
  invalidRequest: (message: string, param?: string, code?: string) =>
    invalid(400, message, code, param),
  resourceMissing: (kind: string, id: string, param = 'id', status = 404) =>
    invalid(status, `No such ${kind}: '${id}'`, 'resource_missing', param),
  amountTooSmall: (message: string) => invalid(400, message, 'amount_too_small', 'amount'),
  amountTooLarge: (message: string, param = 'amount') =>
    invalid(400, message, 'amount_too_large', param),
  invalidChargeAmount: (message: string) =>
    invalid(400, message, 'invalid_charge_amount', 'amount'),
  unexpectedState: (message: string, extra?: Record<string, unknown>) =>
    new ApiError({
      type: 'invalid_request_error',
      status: 400,
      code: 'payment_intent_unexpected_state',
      message,
      extra,
    }),
  unrecognizedUrl: (method: string, url: string) =>
    invalid(
      404,
      `Unrecognized request URL (${method}: ${url}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    ),
  unsupportedContentType: (contentType: string) =>
    invalid(
      400,
      `Invalid request: unsupported Content-Type ${contentType}. If error persists and you need ` +
        'assistance, please contact support@stripe.com.',
    ),
  malformedBody: (detail: string) => invalid(400, `Invalid request body: ${detail}`),
  bodyTooLarge: () => invalid(413, 'Request body is too large.', 'request_too_large'),
  missingApiKey: () =>
    invalid(
      401,
      'You did not provide an API key. You need to provide your API key in the Authorization ' +
        "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    ),
  invalidApiKey: (masked: string) => invalid(401, `Invalid API Key provided: ${masked}`),
  expiredApiKey: (masked: string) =>
    invalid(401, `Expired API Key provided: ${masked}`, 'api_key_expired'),
  secretKeyRequired: () =>
    invalid(
      401,
      'This API call cannot be made with a publishable API key. Please use a secret API key.',
      'secret_key_required',
    ),
  permissionDenied: (permission: string) =>
    new ApiError({
      type: 'invalid_request_error',
      status: 403,
      code: 'insufficient_permissions',
      message: `The provided key does not have the required permission: ${permission}.`,
    }),
  idempotencyMismatch: (message: string) =>
    new ApiError({ type: 'idempotency_error', status: 400, message }),
  idempotencyInUse: () =>
    new ApiError({
      type: 'idempotency_error',
      status: 409,
      code: 'idempotency_key_in_use',
      message:
        'There is currently another in-progress request using this Idempotent Key (that ' +
        'probably means you submitted twice, and the other request is still going through): ' +
        'please retry that request later.',
    }),
  rateLimited: () =>
    invalid(
      429,
      'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
      'rate_limit',
    ),
  lockTimeout: () =>
    invalid(
      429,
      'This object cannot be accessed right now because another API request or Stripe process ' +
        'is currently accessing it. Please retry your request.',
      'lock_timeout',
    ),
  /**
   * A 402 card_error: the card was refused at creation (incorrect_number, invalid_cvc…) or by
   * the processor (card_declined with a decline_code, expired_card…). `param` names the card
   * field (`number`, `exp_month`, `exp_year`, `cvc`) as Stripe's card errors do.
   */
  cardError: (code: string, message: string, param?: string, declineCode?: string) =>
    new ApiError({
      type: 'card_error',
      status: 402,
      code,
      message,
      param,
      decline_code: declineCode,
    }),
  /** A payment method whose state forbids the operation (detached, attached elsewhere…). */
  paymentMethodUnexpectedState: (message: string, param?: string) =>
    invalid(400, message, 'payment_method_unexpected_state', param),
  internal: (requestId: string) =>
    new ApiError({
      type: 'api_error',
      status: 500,
      message: `An unexpected error occurred while processing your request (${requestId}).`,
    }),
};
