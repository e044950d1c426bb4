// Which groups an audit event is about (tagged when it is written, in AuditEventGroup) and which
// events an actor may read: super admins all; everyone else the events tagged with one of their
// groups, the events about their own account and the events they did.
import type { Prisma } from "../../db/client.ts";
import type { Tx } from "../../db/client.ts";
import type { Actor } from "../context.ts";

interface TaggedEntry {
  targetType: string;
  targetId: string | null;
  groupIds?: readonly string[];
}

/** The groups of the event's target as it is now, plus the ones the caller names. */
export async function auditGroupsOf(tx: Tx, entry: TaggedEntry): Promise<string[]> {
  const groups = new Set(entry.groupIds ?? []);
  const id = entry.targetId;
  if (id) {
    for (const groupId of await targetGroups(tx, entry.targetType, id)) groups.add(groupId);
  }
  return [...groups].sort();
}

async function targetGroups(tx: Tx, targetType: string, id: string): Promise<string[]> {
  switch (targetType) {
    case "group":
      return [id];
    case "customer": {
      const row = await tx.customer.findUnique({ where: { id }, select: { groupId: true } });
      return row ? [row.groupId] : [];
    }
    case "license": {
      const row = await tx.license.findUnique({
        where: { id },
        select: { customer: { select: { groupId: true } } },
      });
      return row ? [row.customer.groupId] : [];
    }
    case "session": {
      const row = await tx.session.findUnique({
        where: { id },
        select: { license: { select: { customer: { select: { groupId: true } } } } },
      });
      return row ? [row.license.customer.groupId] : [];
    }
    case "machine": {
      const row = await tx.machineBinding.findUnique({
        where: { id },
        select: { license: { select: { customer: { select: { groupId: true } } } } },
      });
      return row ? [row.license.customer.groupId] : [];
    }
    case "admin": {
      const rows = await tx.adminGroup.findMany({ where: { adminId: id }, select: { groupId: true } });
      return rows.map((r) => r.groupId);
    }
    case "api_key": {
      const row = await tx.apiKey.findUnique({
        where: { id },
        select: {
          groups: { select: { groupId: true } },
          createdBy: { select: { groups: { select: { groupId: true } } } },
        },
      });
      if (!row) return [];
      const own = row.groups.length > 0 ? row.groups : row.createdBy.groups;
      return own.map((g) => g.groupId);
    }
    default:
      // products, features, settings, signing keys: the catalogue and the server, no group
      return [];
  }
}

/** A Prisma `where` limiting audit events to what the actor may read (undefined: everything). */
export function auditReadScope(actor: Actor): Prisma.AuditEventWhereInput | undefined {
  if (actor.role === "super_admin") return undefined;
  const visible: Prisma.AuditEventWhereInput[] = [];
  if (actor.groupIds.length > 0) visible.push({ groups: { some: { groupId: { in: [...actor.groupIds] } } } });
  if (actor.id && (actor.type === "admin" || actor.type === "api_key")) {
    // an admin's own account (sign-ins, password, 2FA); a key's own record; what either did
    visible.push({ targetType: actor.type, targetId: actor.id });
    visible.push({ actorType: actor.type, actorId: actor.id });
  }
  return visible.length > 0 ? { OR: visible } : { id: { in: [] } };
}
