// The domain's one error type. Transports map `code` to their own status (HTTP, gRPC) in one place
// each; `message` is written for the caller and safe to show; INTERNAL errors never carry details.

export const DOMAIN_ERROR_CODES = [
  "NOT_FOUND",
  "CONFLICT",
  "FORBIDDEN",
  "INVALID_ARGUMENT",
  "FAILED_PRECONDITION",
  "UNAUTHENTICATED",
  "RATE_LIMITED",
  "UNAVAILABLE",
  "INTERNAL",
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** One problem with one input field; `path` is dotted ("entitlements.0.quota"). */
export interface FieldIssue {
  path: string;
  message: string;
}

export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fields: FieldIssue[] = [],
    options?: { cause?: unknown; retryAfterSeconds?: number; reason?: UnavailableReason },
  ) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.reason = options?.reason;
  }
  /** RATE_LIMITED, UNAVAILABLE: when the caller may try again */
  readonly retryAfterSeconds: number | undefined;
  /** UNAVAILABLE: which wait ran out (the metric's label) */
  readonly reason: UnavailableReason | undefined;
}

/**
 * Why the server could not answer in time, though nothing is wrong with the request:
 * `pool_exhausted` (no database connection came free), `lock_wait` (a row lock or the
 * transaction's own time limit ran out: contention), `busy` (SQLite's writer lock stayed taken),
 * `call_limit` (the gRPC sidecar's limit per call ran out while the call waited).
 */
export type UnavailableReason = "pool_exhausted" | "lock_wait" | "busy" | "call_limit";
export const UNAVAILABLE_REASONS: readonly UnavailableReason[] = [
  "pool_exhausted",
  "lock_wait",
  "busy",
  "call_limit",
];
/** What a caller told UNAVAILABLE waits before trying again. */
export const UNAVAILABLE_RETRY_SECONDS = 1;

export const notFound = (what: string, id?: string) =>
  new DomainError("NOT_FOUND", id ? `${what} ${id} was not found` : `${what} was not found`);
export const forbidden = (message: string) => new DomainError("FORBIDDEN", message);
export const conflict = (message: string, fields: FieldIssue[] = []) =>
  new DomainError("CONFLICT", message, fields);
export const failedPrecondition = (message: string) => new DomainError("FAILED_PRECONDITION", message);
export const invalidArgument = (message: string, fields: FieldIssue[] = []) =>
  new DomainError("INVALID_ARGUMENT", message, fields);

export const unavailable = (reason: UnavailableReason, cause?: unknown) =>
  new DomainError("UNAVAILABLE", UNAVAILABLE_MESSAGES[reason], [], {
    cause,
    reason,
    retryAfterSeconds: UNAVAILABLE_RETRY_SECONDS,
  });

const UNAVAILABLE_MESSAGES: Record<UnavailableReason, string> = {
  pool_exhausted: "the server is busy (no database connection came free in time); try again shortly",
  lock_wait: "the server is busy (the license is locked by other calls); try again shortly",
  busy: "the server is busy (the database is locked by another writer); try again shortly",
  call_limit: "the server is busy (the call took longer than its limit); try again shortly",
};

interface PrismaLikeError {
  code?: unknown;
  message?: unknown;
  meta?: {
    target?: unknown;
    modelName?: unknown;
    driverAdapterError?: { cause?: { constraint?: { fields?: unknown }; originalCode?: unknown } };
  };
}

/** PostgreSQL SQLSTATEs of waits that ran out: lock_timeout, statement_timeout, serialization, deadlock. */
const PG_LOCK_WAIT = new Set(["55P03", "57014", "40001", "40P01"]);
/** too_many_connections, cannot_connect_now */
const PG_NO_CONNECTION = new Set(["53300", "57P03"]);
/** pg-pool's errors when no connection came free (or could be opened) within connectionTimeoutMillis */
const POOL_TIMEOUT_MESSAGES = [
  "timeout exceeded when trying to connect",
  "Connection terminated due to connection timeout",
];

/**
 * Which wait ran out, when `error` is the database saying "not now" rather than "no": Prisma's
 * P2028 (a transaction could not start within maxWait, or ran past its timeout), P2034 (write
 * conflict or deadlock), the drivers' own codes (through the adapter or from the fast-reads
 * connections directly) and pg-pool's connection timeout.
 */
export function unavailableReason(error: unknown): UnavailableReason | null {
  if (typeof error !== "object" || error === null) return null;
  const e = error as PrismaLikeError;
  if (e.code === "P2028") {
    const message = typeof e.message === "string" ? e.message : "";
    if (message.includes("Unable to start a transaction")) return "pool_exhausted";
    // ran past its timeout (waiting for locks, mostly); other P2028s (a closed transaction
    // used again) are bugs and stay INTERNAL
    if (
      (e.meta as { timeout?: unknown } | undefined)?.timeout !== undefined ||
      /expired|timeout/i.test(message)
    )
      return "lock_wait";
    return null;
  }
  if (e.code === "P2034") return "lock_wait";
  const original = e.meta?.driverAdapterError?.cause?.originalCode ?? e.code;
  if (typeof original === "string") {
    if (original.startsWith("SQLITE_BUSY") || original.startsWith("SQLITE_LOCKED")) return "busy";
    if (PG_LOCK_WAIT.has(original)) return "lock_wait";
    if (PG_NO_CONNECTION.has(original)) return "pool_exhausted";
  }
  if (error instanceof Error && e.code === undefined && POOL_TIMEOUT_MESSAGES.includes(error.message)) {
    return "pool_exhausted";
  }
  return null;
}

/** Columns named by a unique-constraint violation, whichever way the driver adapter reports them. */
function violatedFields(error: PrismaLikeError): string[] {
  const target = error.meta?.target;
  if (Array.isArray(target)) return target.map(String);
  if (typeof target === "string") return [target];
  const fields = error.meta?.driverAdapterError?.cause?.constraint?.fields;
  return Array.isArray(fields) ? fields.map(String) : [];
}

/**
 * Told once per error classified as UNAVAILABLE (the metrics module counts them by reason; the
 * domain does not import the metrics). Each database error is classified once: later calls see
 * the DomainError it became.
 */
export const unavailableObservers = new Set<(reason: UnavailableReason) => void>();

/**
 * Turns database errors that express a rule (unique, foreign key, missing row) into DomainErrors;
 * waits that ran out (pool, locks, SQLite's busy timeout) into UNAVAILABLE, which callers retry;
 * anything else becomes INTERNAL with the original kept as `cause` for the logs only.
 */
export function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  const code = (error as PrismaLikeError | null)?.code;
  if (code === "P2002") {
    const fields = violatedFields(error as PrismaLikeError);
    return conflict(
      fields.length
        ? `a record with this ${fields.join(", ")} already exists`
        : "a record with these values already exists",
      fields.map((path) => ({ path, message: "already in use" })),
    );
  }
  if (code === "P2003") return failedPrecondition("the record is still referenced by other records");
  if (code === "P2025") return new DomainError("NOT_FOUND", "the record was not found");
  const reason = unavailableReason(error);
  if (reason) {
    for (const observe of unavailableObservers) observe(reason);
    return unavailable(reason, error);
  }
  return new DomainError("INTERNAL", "internal error", [], { cause: error });
}
