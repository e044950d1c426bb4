// Who may do what: roles ranked viewer < editor < admin < super_admin, scoped by groups.
// The domain calls these before every read and write; transports and the UI only mirror them.
import type { Actor, Role } from "../context.ts";
import { DomainError, forbidden } from "../errors.ts";

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, super_admin: 3 };

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

/** What each kind of operation needs. Group-scoped permissions also need access to the group. */
export const PERMISSIONS = {
  "catalog.read": "viewer",
  "catalog.write": "super_admin",
  "group.read": "viewer",
  "group.write": "super_admin",
  "customer.read": "viewer",
  "customer.write": "editor",
  "customer.delete": "admin",
  "license.read": "viewer",
  "license.write": "editor",
  "license.status": "admin",
  "license.checkout": "editor",
  "audit.read": "admin",
  "audit.verify": "admin",
  "admin.manage": "super_admin",
  "api_key.manage": "viewer",
  "settings.write": "super_admin",
  "signing_key.read": "admin",
  "signing_key.manage": "super_admin",
  "session.manage": "admin",
  "policy.read": "viewer",
  "policy.write": "super_admin",
  "release.read": "viewer",
  "release.write": "super_admin",
  "trial.read": "viewer",
  "trial.convert": "editor",
  "webhook.read": "admin",
  "webhook.write": "admin",
  "event.read": "admin",
} as const satisfies Record<string, Role>;
export type Permission = keyof typeof PERMISSIONS;

const DESCRIPTIONS: Record<Permission, string> = {
  "catalog.read": "read products and features",
  "catalog.write": "change products and features",
  "group.read": "read groups",
  "group.write": "change groups",
  "customer.read": "read customers",
  "customer.write": "create or edit customers",
  "customer.delete": "archive or delete customers",
  "license.read": "read licenses",
  "license.write": "issue or edit licenses",
  "license.status": "suspend, reinstate or revoke licenses",
  "license.checkout": "check out offline license files",
  "audit.read": "read the audit log",
  "audit.verify": "verify the audit log",
  "admin.manage": "manage admin accounts",
  "api_key.manage": "manage API keys",
  "settings.write": "change server settings",
  "signing_key.read": "list signing keys",
  "signing_key.manage": "rotate or retire signing keys",
  "session.manage": "end sessions or release machines",
  "policy.read": "read policies",
  "policy.write": "create or change policies (a change reaches every license that inherits it)",
  "release.read": "read releases",
  "release.write":
    "publish or delete releases (a release decides what every group's expired maintain_versions licenses may run)",
  "trial.read": "read trials",
  "trial.convert": "convert trials to paid licenses",
  "webhook.read": "read webhook endpoints and their delivery logs",
  "webhook.write": "create, change, test or redeliver webhook endpoints",
  "event.read": "read the event feed",
};

export function requirePermission(actor: Actor, permission: Permission): void {
  if (actor.type === "client") throw forbidden("a license key grants no admin permission");
  if (actor.mustEnrollTwoFactor) {
    throw forbidden("two-factor authentication is required on this server: enroll it in your profile first");
  }
  if (!roleAtLeast(actor.role, PERMISSIONS[permission])) {
    throw forbidden(
      `role ${actor.role} may not ${DESCRIPTIONS[permission]} (needs ${PERMISSIONS[permission]})`,
    );
  }
}

/** True for super_admin (every group) and for actors assigned the group. */
export function inGroup(actor: Actor, groupId: string): boolean {
  return actor.role === "super_admin" || actor.groupIds.includes(groupId);
}

/** A Prisma `where` fragment limiting rows to the actor's groups (undefined: no limit). */
export function groupScope(actor: Actor): { in: string[] } | undefined {
  return actor.role === "super_admin" ? undefined : { in: [...actor.groupIds] };
}

/** For a group the caller names (creating into it, moving to it): refused when not theirs. */
export function requireGroup(actor: Actor, groupId: string): void {
  if (!inGroup(actor, groupId)) {
    throw new DomainError("FORBIDDEN", `you are not a member of group ${groupId}`, [
      { path: "groupId", message: "not one of your groups" },
    ]);
  }
}
