import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, notFound } from "../errors.ts";
import { lockLicense } from "../validation/client-license.ts";
import { findLicenseInScope } from "../licenses/find-license.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { sessionSelect, toSessionDto, type SessionDto } from "./select.ts";
import { endSessions } from "./session-rules.ts";

export const ZEndSessionInput = z.object({
  id: ZId,
  reason: z.string().trim().max(500).optional(),
});
export type TEndSessionInput = z.input<typeof ZEndSessionInput>;

/**
 * Force-ends a session: the client's next heartbeat is refused and it must activate again. The
 * machine may keep running offline on the grace token it already holds (nothing can take that
 * back), so the seat stays held until the token expires (`graceUntil`, state "held"): freeing it
 * at once would let another machine take a seat still in use.
 */
export async function endSession(ctx: DomainContext, input: TEndSessionInput): Promise<SessionDto> {
  requirePermission(ctx.actor, "session.manage");
  const { id, reason } = parseInput(ZEndSessionInput, input);
  return mutate(ctx, async ({ tx, now, audit, emit }) => {
    const session = await tx.session.findUnique({ where: { id }, select: sessionSelect });
    if (!session) throw notFound("session", id);
    await findLicenseInScope(tx, ctx.actor, session.licenseId);
    if (session.endedAt)
      throw failedPrecondition(`the session already ended (${session.endReason ?? "ended"})`);
    await lockLicense(tx, ctx.provider, session.licenseId);
    await endSessions(tx, [session], "admin", now, { audit, emit }, reason ? { note: reason } : {});
    const after = await tx.session.findUniqueOrThrow({ where: { id }, select: sessionSelect });
    return toSessionDto(after, now);
  });
}
