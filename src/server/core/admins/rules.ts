import type { Tx } from "../../db/client.ts";
import { failedPrecondition, invalidArgument } from "../errors.ts";

/** Every listed group must exist. */
export async function requireGroupsExist(
  tx: Tx,
  groupIds: readonly string[],
  path = "groupIds",
): Promise<void> {
  if (groupIds.length === 0) return;
  const found = await tx.group.findMany({ where: { id: { in: [...groupIds] } }, select: { id: true } });
  const known = new Set(found.map((g) => g.id));
  const missing = groupIds.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw invalidArgument(`${path}: unknown group(s) ${missing.join(", ")}`, [
      { path, message: "unknown group" },
    ]);
  }
}

/** The server must keep at least one enabled super admin, or nobody could manage admins again. */
export async function requireAnotherSuperAdmin(tx: Tx, adminId: string): Promise<void> {
  const others = await tx.admin.count({
    where: { role: "super_admin", disabled: false, id: { not: adminId } },
  });
  if (others === 0)
    throw failedPrecondition("this is the last enabled super admin; promote another admin first");
}
