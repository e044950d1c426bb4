// When the directory cannot answer a sign-in: unreachable, too slow, TLS refused, or refusing the
// server's own settings. LdapUnavailableError, the stages of a sign-in its messages name, and the
// translation of ldapts' result codes and socket/TLS errors into it.
import { ResultCodeError } from "ldapts";

export type LdapUnavailableReason = "unreachable" | "timeout" | "tls" | "misconfigured" | "directory_error";

/**
 * The directory could not answer: unreachable, too slow, TLS refused, or it refused the server's own
 * settings (service account, search base). The message is safe to show; `cause` has the details.
 */
export class LdapUnavailableError extends Error {
  readonly reason: LdapUnavailableReason;
  constructor(reason: LdapUnavailableReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LdapUnavailableError";
    this.reason = reason;
  }
}

/** What a sign-in was doing with the directory, for error messages. */
export type Stage =
  "connect" | "starttls" | "service_bind" | "user_search" | "user_bind" | "read_user" | "group_search";

export const STAGE_TEXT: Record<Stage, string> = {
  connect: "connecting to the LDAP directory",
  starttls: "starting TLS with the LDAP directory",
  service_bind: "signing in to the LDAP directory with the service account (check LDAP_SERVICE_DN/PASSWORD)",
  user_search: "searching the LDAP directory for the user (check LDAP_USER_SEARCH_BASE/FILTER)",
  user_bind: "checking the password with the LDAP directory",
  read_user: "reading the user's LDAP entry",
  group_search: "searching the LDAP directory for groups (check LDAP_GROUP_SEARCH_BASE/FILTER)",
};

// LDAP result codes (RFC 4511)
const TIME_LIMIT_EXCEEDED = 3;
const BUSY = 51;
const UNAVAILABLE = 52;

const SOCKET_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ETIMEDOUT",
]);

export function toUnavailable(error: unknown, stage: Stage): LdapUnavailableError {
  if (error instanceof LdapUnavailableError) return error;
  const during = STAGE_TEXT[stage];
  if (error instanceof ResultCodeError) {
    if (error.code === TIME_LIMIT_EXCEEDED) {
      return new LdapUnavailableError("timeout", `LDAP directory timed out while ${during}`, {
        cause: error,
      });
    }
    if (error.code === BUSY || error.code === UNAVAILABLE) {
      return new LdapUnavailableError("unreachable", `LDAP directory is unavailable (${during})`, {
        cause: error,
      });
    }
    if (stage === "starttls") {
      return new LdapUnavailableError("tls", `LDAP directory refused StartTLS (result code ${error.code})`, {
        cause: error,
      });
    }
    const reason = stage === "service_bind" || stage === "user_search" ? "misconfigured" : "directory_error";
    return new LdapUnavailableError(reason, `LDAP error ${error.code} while ${during}`, { cause: error });
  }
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === "string" && SOCKET_ERROR_CODES.has(code)) {
    return new LdapUnavailableError("unreachable", `LDAP directory is unreachable (${code})`, {
      cause: error,
    });
  }
  if (
    typeof code === "string" &&
    (code.startsWith("ERR_TLS") ||
      code.startsWith("ERR_SSL") ||
      code.includes("CERT") ||
      code.includes("SELF_SIGNED") ||
      code.startsWith("UNABLE_TO"))
  ) {
    return new LdapUnavailableError("tls", `TLS with the LDAP directory failed (${code})`, { cause: error });
  }
  if (/timeout|timed out/i.test(message)) {
    return new LdapUnavailableError("timeout", `LDAP directory timed out while ${during}`, { cause: error });
  }
  if (/socket|connection closed/i.test(message) || stage === "connect") {
    return new LdapUnavailableError("unreachable", `LDAP connection failed while ${during}`, {
      cause: error,
    });
  }
  return new LdapUnavailableError("directory_error", `LDAP sign-in failed while ${during}`, { cause: error });
}
