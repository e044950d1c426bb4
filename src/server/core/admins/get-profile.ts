import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { requireAdminActor } from "./require-admin-actor.ts";
import { adminSelect, toAdminDto, type AdminDto } from "./select.ts";

/** The signed-in admin's own account. */
export async function getProfile(ctx: DomainContext): Promise<AdminDto> {
  const id = requireAdminActor(ctx.actor);
  const admin = await ctx.db.admin.findUnique({ where: { id }, select: adminSelect });
  if (!admin) throw notFound("admin", id);
  return toAdminDto(admin);
}
