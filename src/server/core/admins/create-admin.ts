import { z } from "zod";
import { hashPassword } from "../../auth/password.ts";
import { requirePermission } from "../../auth/policy.ts";
import type { DomainContext } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { requireGroupsExist } from "./rules.ts";
import { ZEmail, ZGroupIds, ZPassword, ZRole } from "./schemas.ts";
import { adminSelect, toAdminDto, type AdminDto } from "./select.ts";

export const ZCreateAdminInput = z
  .object({
    email: ZEmail,
    name: z.string().trim().max(200).default(""),
    role: ZRole,
    groupIds: ZGroupIds.default([]),
    /** local accounts sign in with it; LDAP accounts have none */
    authSource: z.enum(["local", "ldap"]).default("local"),
    password: ZPassword.optional(),
  })
  .superRefine((value, issues) => {
    if (value.authSource === "local" && value.password === undefined) {
      issues.addIssue({ code: "custom", path: ["password"], message: "a local account needs a password" });
    }
    if (value.authSource === "ldap" && value.password !== undefined) {
      issues.addIssue({
        code: "custom",
        path: ["password"],
        message: "LDAP accounts sign in with their directory password",
      });
    }
  });
export type TCreateAdminInput = z.input<typeof ZCreateAdminInput>;

export async function createAdmin(ctx: DomainContext, input: TCreateAdminInput): Promise<AdminDto> {
  requirePermission(ctx.actor, "admin.manage");
  const { password, groupIds, ...data } = parseInput(ZCreateAdminInput, input);
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
