import type { z } from "zod";
import type { LicenseStatusCode } from "@license-server/sdk/offline";
import { asDomainContext, clientActor, type LicensingContext } from "../validation/licensing-context.ts";
import { findClientLicense, licenseVerdict } from "../validation/client-license.ts";
import { ZClientRequest, ZSessionId } from "../validation/schemas.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { findClientSession } from "./client-session.ts";
import { endSessions } from "./session-rules.ts";

export const ZDeactivateSessionInput = ZClientRequest.extend({ sessionId: ZSessionId });
export type TDeactivateSessionInput = z.input<typeof ZDeactivateSessionInput>;

export interface DeactivateAnswer {
  status: LicenseStatusCode;
  message: string;
  serverTime: Date;
}

/**
 * Ends a session at once and frees its seat (its grace-token hold too: the client drops its
 * token). Works whatever the license's state (a client giving its seat back is always welcome);
 * deactivating an already deactivated session is VALID, and so is deactivating one that ended
 * otherwise (heartbeats stopped, an admin) while its hold still keeps a seat: the hold is freed.
 */
export async function deactivateSession(
  ctx: LicensingContext,
  input: TDeactivateSessionInput,
): Promise<DeactivateAnswer> {
  const { licenseKey, client, sessionId } = parseInput(ZDeactivateSessionInput, input);
  const now = ctx.clock.now();
  const license = await findClientLicense(ctx.reads, licenseKey);
  const verdict = await licenseVerdict(ctx, license, client, now);
  if (!license || verdict.status === "NOT_FOUND" || verdict.status === "PRODUCT_MISMATCH") {
    return { ...verdict, serverTime: now };
  }
  const found = await findClientSession(ctx.reads, license.id, sessionId, client.fingerprint);
  if ("refusal" in found) {
    if (found.session?.endReason === "deactivated") {
      return { status: "VALID", message: "the session was already deactivated", serverTime: now };
    }
    const held = found.session;
    if (
      held?.endedAt &&
      held.fingerprint === client.fingerprint &&
      held.graceUntil &&
      held.graceUntil > now
    ) {
      await mutate(
        asDomainContext(ctx, clientActor(license.id, client.fingerprint)),
        async ({ tx, audit }) => {
          const { count } = await tx.session.updateMany({
            where: { id: held.id, graceUntil: { not: null } },
            data: { graceUntil: null },
          });
          if (count === 0) return;
          audit({
            action: "session.release",
            targetType: "session",
            targetId: held.id,
            summary: { licenseId: license.id, fingerprint: client.fingerprint, heldUntil: held.graceUntil },
          });
        },
      );
      return { status: "VALID", message: "the session had ended; its seat is free now", serverTime: now };
    }
    return { ...found.refusal, serverTime: now };
  }
  const ended = await mutate(
    asDomainContext(ctx, clientActor(license.id, client.fingerprint)),
    ({ tx, audit, emit }) => endSessions(tx, [found.session], "deactivated", now, { audit, emit }),
  );
  if (ended === 0) {
    const again = await findClientSession(ctx.reads, license.id, sessionId, client.fingerprint);
    if ("refusal" in again && again.session?.endReason !== "deactivated") {
      return { ...again.refusal, serverTime: now };
    }
  }
  return { status: "VALID", message: "session ended", serverTime: now };
}
