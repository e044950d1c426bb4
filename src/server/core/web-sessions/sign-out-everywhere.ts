import { z } from "zod";
import type { DomainContext } from "../context.ts";
import { requireAdminActor } from "../admins/require-admin-actor.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { revokeAdminWebSessions } from "./store.ts";

export const ZSignOutEverywhereInput = z.object({});
export type TSignOutEverywhereInput = z.input<typeof ZSignOutEverywhereInput>;

/**
 * Ends every web session of the signed-in admin, the one making the request included: each
 * browser must sign in again. (Bearer tokens from POST /auth/login are not web sessions: they
 * end at their one-hour expiry, or at once with a password change.)
 */
export async function signOutEverywhere(
  ctx: DomainContext,
  input: TSignOutEverywhereInput = {},
): Promise<{ ended: number }> {
  const id = requireAdminActor(ctx.actor);
  parseInput(ZSignOutEverywhereInput, input);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const ended = await revokeAdminWebSessions(tx, id, "sign_out_everywhere", now);
    audit({ action: "admin.sign_out_everywhere", targetType: "admin", targetId: id, summary: { ended } });
    return { ended };
  });
}
