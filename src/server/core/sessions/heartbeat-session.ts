import type { z } from "zod";
import type { LicenseStatusCode } from "@license-server/sdk/offline";
import { asDomainContext, clientActor, type LicensingContext } from "../validation/licensing-context.ts";
import {
  findClientLicense,
  graceFor,
  licenseVerdict,
  type GraceGrant,
  type Standing,
} from "../validation/client-license.ts";
import { checkIn } from "../validation/check-in.ts";
import { ZClientRequest, ZSessionId } from "../validation/schemas.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { findClientSession } from "./client-session.ts";
import { coverToken, holdFor, holdsSeatOffline, needsHold, tokenExpiry } from "./seat-hold.ts";
import { endSessions, isDead, nextDeadline } from "./session-rules.ts";

export const ZHeartbeatSessionInput = ZClientRequest.extend({ sessionId: ZSessionId });
export type THeartbeatSessionInput = z.input<typeof ZHeartbeatSessionInput>;

export interface HeartbeatAnswer {
  status: LicenseStatusCode;
  message: string;
  serverTime: Date;
  heartbeatDeadline: Date | null;
  grace: GraceGrant | null;
  /** VALID answers only */
  standing: Standing | null;
}

/**
 * Extends a live session's deadline by one heartbeat interval. A session whose deadline plus the
 * tolerance has passed is dead (HEARTBEAT_DEAD): the client activates again for a new one. The
 * deadline is buffered; the seat hold covering the answer's grace token (floating licenses) is
 * written before the answer, when the stored one does not cover it already (seat-hold.ts).
 */
export async function heartbeatSession(
  ctx: LicensingContext,
  input: THeartbeatSessionInput,
): Promise<HeartbeatAnswer> {
  const { licenseKey, client, sessionId } = parseInput(ZHeartbeatSessionInput, input);
  const now = ctx.clock.now();
  const refused = (status: LicenseStatusCode, message: string): HeartbeatAnswer => ({
    status,
    message,
    serverTime: now,
    heartbeatDeadline: null,
    grace: null,
    standing: null,
  });
  const license = await findClientLicense(ctx.reads, licenseKey);
  const verdict = await licenseVerdict(ctx, license, client, now);
  if (!license || verdict.status !== "VALID") return refused(verdict.status, verdict.message);

  const found = await findClientSession(ctx.reads, license.id, sessionId, client.fingerprint);
  if ("refusal" in found) return refused(found.refusal.status, found.refusal.message);
  const { session } = found;

  const pending = ctx.heartbeats.pendingDeadline(session.id);
  const deadlineAt = pending && pending > session.deadlineAt ? pending : session.deadlineAt;
  if (isDead(deadlineAt, now, ctx.heartbeatToleranceSeconds)) {
    await mutate(asDomainContext(ctx, clientActor(license.id, client.fingerprint)), ({ tx, audit, emit }) =>
      endSessions(tx, [session], "heartbeat_dead", now, { audit, emit }, { lateHeartbeat: true }),
    );
    return refused("HEARTBEAT_DEAD", "the heartbeat came after the session's deadline and tolerance");
  }
  if (holdsSeatOffline(license)) {
    const expiresAt = tokenExpiry(license, now);
    if (
      needsHold(session.graceUntil, expiresAt, now) &&
      !(await coverToken(ctx.db, session.id, holdFor(license, expiresAt), expiresAt))
    ) {
      // ended since it was read (deactivated, by an admin, with the license): say how
      const again = await findClientSession(ctx.reads, license.id, sessionId, client.fingerprint);
      if ("refusal" in again) return refused(again.refusal.status, again.refusal.message);
      return refused("SESSION_NOT_FOUND", "the session has ended");
    }
  }
  // Written with the other heartbeats within a second (a session ended meanwhile stays ended).
  const deadline = nextDeadline(now, license.heartbeatIntervalSeconds);
  ctx.heartbeats.extend(session.id, now, deadline);
  return {
    status: "VALID",
    message: "heartbeat accepted",
    serverTime: now,
    heartbeatDeadline: deadline,
    grace: await graceFor(
      ctx,
      license,
      licenseKey,
      client.fingerprint,
      now,
      session.id,
      verdict.coveredVersion,
    ),
    standing: { ...(await checkIn(ctx, license, now)), expired: verdict.expired === true },
  };
}
