// Server middleware of the sidecar, outermost first: call logging and metrics hooks, a server-side
// deadline, and the one mapping of domain errors to gRPC statuses (with field details).
import {
  ServerError,
  Status,
  type CallContext,
  type ServerMiddleware,
  type ServerMiddlewareCall,
} from "nice-grpc";
import { BadRequest, RetryInfo, RichServerError } from "nice-grpc-error-details";
import { isAbortError } from "abort-controller-x";
import {
  toDomainError,
  UNAVAILABLE_RETRY_SECONDS,
  unavailableObservers,
  type DomainErrorCode,
} from "../src/server/core/errors.ts";
import type { Logger } from "../src/server/logger.ts";

const GRPC_STATUS: Record<DomainErrorCode, Status> = {
  NOT_FOUND: Status.NOT_FOUND,
  CONFLICT: Status.ALREADY_EXISTS,
  FORBIDDEN: Status.PERMISSION_DENIED,
  INVALID_ARGUMENT: Status.INVALID_ARGUMENT,
  FAILED_PRECONDITION: Status.FAILED_PRECONDITION,
  UNAUTHENTICATED: Status.UNAUTHENTICATED,
  RATE_LIMITED: Status.RESOURCE_EXHAUSTED,
  // with RetryInfo: the SDK takes it as "server unreachable" and lets its offline tiers decide
  UNAVAILABLE: Status.UNAVAILABLE,
  INTERNAL: Status.INTERNAL,
};

/** "client.productCode" → "client.product_code": field paths as the .proto names them. */
export function protoFieldPath(path: string): string {
  return path
    .split(".")
    .map((part) => part.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`))
    .join(".");
}

/** What a finished call reports to the metrics hook. */
export interface CallRecord {
  /** "/license.v1.LicenseService/Validate" */
  method: string;
  /** gRPC status name: "OK", "INVALID_ARGUMENT" ... */
  code: string;
  durationMs: number;
  peer: string;
}

/**
 * Domain errors become their gRPC status, INVALID_ARGUMENT with a BadRequest of field violations,
 * RESOURCE_EXHAUSTED and UNAVAILABLE (a database wait ran out) with RetryInfo; anything
 * unexpected is logged and becomes INTERNAL with no detail. Cancellation by the client passes
 * through.
 */
export function errorMappingMiddleware(logger: Logger): ServerMiddleware {
  return async function* errorMapping<Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      if (error instanceof ServerError || isAbortError(error)) throw error;
      const domain = toDomainError(error);
      if (domain.code === "INTERNAL") {
        logger.error({ err: error, method: call.method.path }, "gRPC call failed");
        throw new ServerError(Status.INTERNAL, "internal error");
      }
      if (domain.code === "UNAVAILABLE") {
        logger.warn({ reason: domain.reason, method: call.method.path }, "gRPC call answered UNAVAILABLE");
      }
      const details = [];
      if (domain.fields.length > 0) {
        details.push(
          BadRequest.fromPartial({
            fieldViolations: domain.fields.map((f) => ({
              field: protoFieldPath(f.path),
              description: f.message,
            })),
          }),
        );
      }
      if (domain.retryAfterSeconds !== undefined) {
        details.push(RetryInfo.fromPartial({ retryDelay: { seconds: domain.retryAfterSeconds, nanos: 0 } }));
      }
      throw new RichServerError(GRPC_STATUS[domain.code], domain.message, details);
    }
  };
}

/** Logs each call (debug; warn for server errors) and hands its outcome to `onCall` (metrics). */
export function loggingMiddleware(logger: Logger, onCall?: (record: CallRecord) => void): ServerMiddleware {
  return async function* logging<Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    const started = performance.now();
    let code = "OK";
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      code =
        error instanceof ServerError ? Status[error.code] : isAbortError(error) ? "CANCELLED" : "UNKNOWN";
      throw error;
    } finally {
      const record = {
        method: call.method.path,
        code,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        peer: context.peer,
      };
      const serverSide = code === "INTERNAL" || code === "UNKNOWN";
      if (serverSide) logger.warn(record, "gRPC call");
      else logger.debug(record, "gRPC call");
      onCall?.(record);
    }
  };
}

/**
 * Ends calls that run longer than `maxMs` with UNAVAILABLE and RetryInfo: the server was too busy
 * to answer in its own time limit (a burst queued for the database), which the SDK treats as
 * "unreachable" and retries later; counted as `call_limit` by the unavailable metric. Clients'
 * own deadlines cancel earlier through the call's signal. Refuses calls whose client already gave
 * up. Goes inside errorDetailsServerMiddleware, which sends the RetryInfo.
 */
export function deadlineMiddleware(maxMs: number): ServerMiddleware {
  return async function* deadline<Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    if (context.signal.aborted) throw new ServerError(Status.CANCELLED, "the client cancelled the call");
    if (call.requestStream || call.responseStream) return yield* call.next(call.request, context);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        for (const observe of unavailableObservers) observe("call_limit");
        reject(
          new RichServerError(
            Status.UNAVAILABLE,
            `the server is busy (the call took longer than its limit of ${maxMs} ms); try again shortly`,
            [RetryInfo.fromPartial({ retryDelay: { seconds: UNAVAILABLE_RETRY_SECONDS, nanos: 0 } })],
          ),
        );
      }, maxMs);
    });
    try {
      const iterator = call.next(call.request, context);
      const first = await Promise.race([iterator.next(), expired]);
      if (!first.done) throw new Error("unary call yielded a message");
      return first.value;
    } finally {
      clearTimeout(timer);
    }
  };
}
