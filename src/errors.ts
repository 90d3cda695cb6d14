// Expected failures carry a stable code; one table maps each code to an HTTP status. The HTTP
// layer renders them as problem+json (RFC 9457). Anything else is a logged 500.

export const ERROR_STATUS = {
  bad_request: 400,
  invalid_parameter: 400,
  unknown_metric: 400,
  unknown_dimension: 400,
  invalid_time_zone: 400,
  invalid_range: 400,
  range_too_large: 422,
  result_too_large: 422,
  beyond_retention: 422,
  invalid_fx_rates: 400,
  target_not_allowed: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthorized: 401,
  invalid_token: 401,
  token_expired: 401,
  forbidden: 403,
  forbidden_merchant: 403,
  not_found: 404,
  rate_limited: 429,
  auth_unavailable: 503,
  store_unavailable: 503,
  state_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
