// The one place where domain errors become tRPC errors (and, through trpc-to-openapi, HTTP
// statuses): NOT_FOUND 404, CONFLICT 409, FORBIDDEN 403, INVALID_ARGUMENT 400,
// FAILED_PRECONDITION 412, UNAUTHENTICATED 401, RATE_LIMITED 429, UNAVAILABLE 503,
// INTERNAL 500.
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/unstable-core-do-not-import";
import { DomainError, toDomainError, type DomainErrorCode } from "../core/errors.ts";

const TRPC_CODES: Record<DomainErrorCode, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  FORBIDDEN: "FORBIDDEN",
  INVALID_ARGUMENT: "BAD_REQUEST",
  FAILED_PRECONDITION: "PRECONDITION_FAILED",
  UNAUTHENTICATED: "UNAUTHORIZED",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

export function toTrpcError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  const domain = toDomainError(error);
  const message = domain.code === "INTERNAL" ? "internal error" : domain.message;
  return new TRPCError({ code: TRPC_CODES[domain.code], message, cause: domain });
}

/** The DomainError behind a tRPC error, if any (for the error formatter). */
export function domainCause(error: TRPCError): DomainError | undefined {
  return error.cause instanceof DomainError ? error.cause : undefined;
}
