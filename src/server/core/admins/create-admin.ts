import { hashPassword } from "../../crypto/password.ts";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { requireStrongPassword } from "./password-policy.ts";
import { requireGroupsExist, requireSignedInForSuperAdmin } from "./rules.ts";
import { adminSelect, toAdminDto, type AdminDto } from "./select.ts";
import { ZCreateAdminInput, type TCreateAdminInput } from "./schemas.ts";

export async function createAdmin(ctx: DomainContext, input: TCreateAdminInput): Promise<AdminDto> {
  requirePermission(ctx.actor, "admin.manage");
  const { password, groupIds, ...data } = parseInput(ZCreateAdminInput, input);
  requireSignedInForSuperAdmin(ctx.actor, data.role === "super_admin");
  if (password !== undefined) await requireStrongPassword("password", password, data.email, data.name);
  const passwordHash = password === undefined ? null : await hashPassword(password);
  return mutate(ctx, async ({ tx, now, audit }) => {
    await requireGroupsExist(tx, groupIds);
    const admin = await tx.admin.create({
      data: {
        ...data,
        passwordHash,
        passwordChangedAt: passwordHash ? now : null,
        groups: { create: groupIds.map((groupId) => ({ groupId })) },
      },
      select: adminSelect,
    });
    audit({
      action: "admin.create",
      targetType: "admin",
      targetId: admin.id,
      summary: { ...data, groupIds },
    });
    return toAdminDto(admin);
  });
}
