// The session a client names in Heartbeat and Deactivate: it must belong to the license the
// client holds and to the machine it runs on.
import type { FastReads, SessionRecord } from "../../db/fast-reads.ts";
import type { Verdict } from "../validation/client-license.ts";

export type ClientSession = SessionRecord;

const ENDED_BECAUSE: Record<string, string> = {
  deactivated: "the session was deactivated",
  admin: "the session was ended by an administrator",
  license_revoked: "the session ended when the license was revoked",
  license_suspended: "the session ended when the license was suspended",
};

/** The session, or the verdict that refuses it (unknown, other license or machine, ended). */
export async function findClientSession(
  reads: FastReads,
  licenseId: string,
  sessionId: string,
  fingerprint: string,
): Promise<{ session: ClientSession } | { refusal: Verdict; session: ClientSession | null }> {
  const session = await reads.session(sessionId);
  if (!session || session.licenseId !== licenseId) {
    return {
      refusal: { status: "SESSION_NOT_FOUND", message: "the license has no such session" },
      session: null,
    };
  }
  if (session.fingerprint !== fingerprint) {
    return {
      refusal: { status: "FINGERPRINT_MISMATCH", message: "the session belongs to another machine" },
      session,
    };
  }
  if (session.endedAt) {
    if (session.endReason === "heartbeat_dead") {
      return {
        refusal: { status: "HEARTBEAT_DEAD", message: "the session ended after its heartbeats stopped" },
        session,
      };
    }
    const why = ENDED_BECAUSE[session.endReason ?? ""] ?? "the session has ended";
    return { refusal: { status: "SESSION_NOT_FOUND", message: why }, session };
  }
  return { session };
}
