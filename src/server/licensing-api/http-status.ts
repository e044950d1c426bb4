import type { DomainErrorCode } from "../core/errors.ts";

/** HTTP statuses of domain errors, as the admin REST API answers them. */
export const HTTP_STATUS: Record<DomainErrorCode, number> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  FORBIDDEN: 403,
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 412,
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
  // with Retry-After: the request was fine, the server was too busy to answer it in time
  UNAVAILABLE: 503,
  INTERNAL: 500,
};
