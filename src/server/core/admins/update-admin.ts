import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { revokeAdminWebSessions } from "../web-sessions/store.ts";
import { requireAnotherSuperAdmin, requireGroupsExist, requireSignedInForSuperAdmin } from "./rules.ts";
import { adminSelect, toAdminDto, type AdminDto } from "./select.ts";
import { ZUpdateAdminInput, type TUpdateAdminInput } from "./schemas.ts";

export async function updateAdmin(ctx: DomainContext, input: TUpdateAdminInput): Promise<AdminDto> {
  requirePermission(ctx.actor, "admin.manage");
  const { id, groupIds, ...patch } = parseInput(ZUpdateAdminInput, input);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const before = await tx.admin.findUnique({ where: { id }, select: adminSelect });
    if (!before) throw notFound("admin", id);
    requireSignedInForSuperAdmin(ctx.actor, before.role === "super_admin" || patch.role === "super_admin");
    const losesSuperAdmin =
      (patch.role !== undefined && patch.role !== "super_admin") || patch.disabled === true;
    if (before.role === "super_admin" && !before.disabled && losesSuperAdmin)
      await requireAnotherSuperAdmin(tx, id);
    if (groupIds) {
      await requireGroupsExist(tx, groupIds);
      await tx.adminGroup.deleteMany({ where: { adminId: id } });
      await tx.adminGroup.createMany({ data: groupIds.map((groupId) => ({ adminId: id, groupId })) });
    }
    const admin = await tx.admin.update({ where: { id }, data: patch, select: adminSelect });
    // disabling or a new role ends the admin's web sessions (re-enabling does not bring them back)
    if (patch.disabled === true && !before.disabled) await revokeAdminWebSessions(tx, id, "disabled", now);
    else if (patch.role !== undefined && patch.role !== before.role)
      await revokeAdminWebSessions(tx, id, "role_change", now);
    const beforeGroups = before.groups.map((g) => g.group.id);
    audit({
      action: "admin.update",
      targetType: "admin",
      targetId: id,
      summary: {
        ...changes(before, patch),
        ...(groupIds && JSON.stringify(groupIds) !== JSON.stringify(beforeGroups)
          ? { groupIds: { from: beforeGroups, to: groupIds } }
          : {}),
      },
      groupIds: beforeGroups, // a move is seen by the groups it left, too
    });
    return toAdminDto(admin);
  });
}
