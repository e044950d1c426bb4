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
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
  /** RATE_LIMITED: when the caller may try again */
  readonly retryAfterSeconds: number | undefined;
}

export const notFound = (what: string, id?: string) =>
  new DomainError("NOT_FOUND", id ? `${what} ${id} was not found` : `${what} was not found`);
export const forbidden = (message: string) => new DomainError("FORBIDDEN", message);
export const conflict = (message: string, fields: FieldIssue[] = []) =>
  new DomainError("CONFLICT", message, fields);
export const failedPrecondition = (message: string) => new DomainError("FAILED_PRECONDITION", message);
export const invalidArgument = (message: string, fields: FieldIssue[] = []) =>
  new DomainError("INVALID_ARGUMENT", message, fields);

interface PrismaLikeError {
  code?: unknown;
  meta?: {
    target?: unknown;
    modelName?: unknown;
    driverAdapterError?: { cause?: { constraint?: { fields?: unknown } } };
  };
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
 * Turns database errors that express a rule (unique, foreign key, missing row) into DomainErrors;
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
  return new DomainError("INTERNAL", "internal error", [], { cause: error });
}
