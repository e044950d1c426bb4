import type { z } from "zod";
import type { LicenseStatusCode } from "@license-server/sdk/offline";
import { asDomainContext, clientActor, type ClientContext } from "../licensing/client-context.ts";
import { findClientLicense, licenseVerdict } from "../licensing/client-license.ts";
import { ZClientRequest, ZSessionId } from "../licensing/schemas.ts";
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
 * Ends a session at once and frees its seat. Works whatever the license's state (a client
 * giving its seat back is always welcome); deactivating an already deactivated session is VALID.
 */
export async function deactivateSession(
  ctx: ClientContext,
  input: TDeactivateSessionInput,
): Promise<DeactivateAnswer> {
  const { licenseKey, client, sessionId } = parseInput(ZDeactivateSessionInput, input);
  const now = ctx.clock.now();
  const license = await findClientLicense(ctx.reads, licenseKey);
  const verdict = licenseVerdict(license, client.productCode, now);
  if (!license || verdict.status === "NOT_FOUND" || verdict.status === "PRODUCT_MISMATCH") {
    return { ...verdict, serverTime: now };
  }
  const found = await findClientSession(ctx.reads, license.id, sessionId, client.fingerprint);
  if ("refusal" in found) {
    if (found.session?.endReason === "deactivated") {
      return { status: "VALID", message: "the session was already deactivated", serverTime: now };
    }
    return { ...found.refusal, serverTime: now };
  }
  const ended = await mutate(
    asDomainContext(ctx, clientActor(license.id, client.fingerprint)),
    ({ tx, audit }) => endSessions(tx, [found.session], "deactivated", now, audit),
  );
  if (ended === 0) {
    const again = await findClientSession(ctx.reads, license.id, sessionId, client.fingerprint);
    if ("refusal" in again && again.session?.endReason !== "deactivated") {
      return { ...again.refusal, serverTime: now };
    }
  }
  return { status: "VALID", message: "session ended", serverTime: now };
}
