import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { adminSelect, toAdminDto, type AdminDto } from "./select.ts";

export const ZGetAdminInput = z.object({ id: ZId });
export type TGetAdminInput = z.input<typeof ZGetAdminInput>;

export async function getAdmin(ctx: DomainContext, input: TGetAdminInput): Promise<AdminDto> {
  requirePermission(ctx.actor, "admin.manage");
  const { id } = parseInput(ZGetAdminInput, input);
  const admin = await ctx.db.admin.findUnique({ where: { id }, select: adminSelect });
  if (!admin) throw notFound("admin", id);
  return toAdminDto(admin);
}
