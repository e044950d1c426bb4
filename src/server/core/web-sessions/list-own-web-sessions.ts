import { z } from "zod";
import type { DomainContext } from "../context.ts";
import { requireAdminActor } from "../admins/require-admin-actor.ts";
import { parseInput } from "../shared/parse-input.ts";

export const ZListOwnWebSessionsInput = z.object({});
export type TListOwnWebSessionsInput = z.input<typeof ZListOwnWebSessionsInput>;

export const ZWebSessionDto = z.object({
  id: z.string(),
  createdAt: z.date(),
  lastSeenAt: z.date(),
  expiresAt: z.date(),
  ip: z.string().nullable(),
  userAgent: z.string(),
});
export type WebSessionDto = z.infer<typeof ZWebSessionDto>;

/** The signed-in admin's web sessions that are still on (newest first). */
export async function listOwnWebSessions(
  ctx: DomainContext,
  input: TListOwnWebSessionsInput = {},
): Promise<{ items: WebSessionDto[] }> {
  const adminId = requireAdminActor(ctx.actor);
  parseInput(ZListOwnWebSessionsInput, input);
  const items = await ctx.db.webSession.findMany({
    where: { adminId, revokedAt: null, expiresAt: { gt: ctx.clock.now() } },
    select: { id: true, createdAt: true, lastSeenAt: true, expiresAt: true, ip: true, userAgent: true },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    // a sign-in makes one; more than this many live ones at once is not a person
    take: 200,
  });
  return { items };
}
