import { z } from "zod";
import type { DomainContext } from "../context.ts";
import { requireAdminActor } from "../admins/require-admin-actor.ts";
import { notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { revokeWebSession } from "./store.ts";

export const ZEndOwnWebSessionInput = z.object({ id: z.string().trim().min(1, "is required").max(64) });
export type TEndOwnWebSessionInput = z.input<typeof ZEndOwnWebSessionInput>;

/** Ends one of the signed-in admin's own web sessions (another admin's id is "not found"). */
export async function endOwnWebSession(
  ctx: DomainContext,
  input: TEndOwnWebSessionInput,
): Promise<{ id: string }> {
  const adminId = requireAdminActor(ctx.actor);
  const { id } = parseInput(ZEndOwnWebSessionInput, input);
  return mutate(ctx, async ({ tx, now, audit }) => {
    if (!(await revokeWebSession(tx, { id, adminId }, "ended", now))) throw notFound("web session", id);
    audit({ action: "admin.web_session_end", targetType: "admin", targetId: adminId, summary: {} });
    return { id };
  });
}
