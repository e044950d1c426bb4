import { describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/server/crypto/password.ts";
import { authenticateApiKey } from "../../src/server/auth/authenticate-api-key.ts";
import { changeOwnPassword } from "../../src/server/core/admins/change-own-password.ts";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { getProfile } from "../../src/server/core/admins/get-profile.ts";
import { listAdmins } from "../../src/server/core/admins/list-admins.ts";
import { setAdminPassword } from "../../src/server/core/admins/set-admin-password.ts";
import { updateAdmin } from "../../src/server/core/admins/update-admin.ts";
import { API_KEY_PATTERN } from "../../src/server/core/api-keys/api-key-format.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import { listApiKeys } from "../../src/server/core/api-keys/list-api-keys.ts";
import { revokeApiKey } from "../../src/server/core/api-keys/revoke-api-key.ts";
import { listAuditEvents } from "../../src/server/core/audit/list-audit-events.ts";
import type { Actor, Role } from "../../src/server/core/context.ts";
import { getCustomer } from "../../src/server/core/customers/get-customer.ts";
import { updateCustomer } from "../../src/server/core/customers/update-customer.ts";
import { actor, describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { makeGroup, makeWorld, unique } from "../support/fixtures.ts";

const PASSWORD = "a-long-enough-password";

async function makeAdmin(db: TestDb, role: Role, groupIds: string[]) {
  const admin = await createAdmin(db.ctx(), {
    email: `${unique(role)}@example.com`,
    role,
    groupIds,
    password: PASSWORD,
  });
  const as: Actor = { type: "admin", id: admin.id, label: admin.email, role, groupIds };
  return { admin, as };
}

describeEachDb("admins, API keys and the audit log", (getDb) => {
  describe("admin accounts", () => {
    it("super admin creates, edits and disables admins; the hash never leaves the domain", async () => {
      const db = getDb();
      const group = await makeGroup(db);
      const email = `${unique("Mixed.Case")}@Example.com`;
      const admin = await createAdmin(db.ctx(), {
        email,
        role: "editor",
        groupIds: [group.id],
        password: PASSWORD,
      });
      expect(admin).toMatchObject({
        email: email.toLowerCase(),
        role: "editor",
        disabled: false,
        groups: [{ id: group.id }],
      });
      expect(JSON.stringify(admin)).not.toMatch(/scrypt|passwordHash/);
      const stored = await db.handle.db.admin.findUniqueOrThrow({
        where: { id: admin.id },
        select: { passwordHash: true },
      });
      expect(await verifyPassword(PASSWORD, stored.passwordHash ?? "")).toBe(true);
      await expectDomainError(
        createAdmin(db.ctx(), { email, role: "viewer", password: PASSWORD }),
        "CONFLICT",
      );

      const updated = await updateAdmin(db.ctx(), {
        id: admin.id,
        role: "admin",
        groupIds: [],
        disabled: true,
      });
      expect(updated).toMatchObject({ role: "admin", disabled: true, groups: [] });
      const listed = await listAdmins(db.ctx(), { q: email.slice(0, 10), disabled: true });
      expect(listed.items.map((a) => a.id)).toEqual([admin.id]);

      await expectDomainError(
        createAdmin(db.ctx(), { email: "x@example.com", role: "viewer", password: "short" }),
        "INVALID_ARGUMENT",
      );
      await expectDomainError(
        createAdmin(db.ctx(), {
          email: "y@example.com",
          role: "viewer",
          groupIds: ["nope"],
          password: PASSWORD,
        }),
        "INVALID_ARGUMENT",
      );
      for (const role of ["admin", "editor", "viewer"] as const) {
        await expectDomainError(
          createAdmin(db.ctx(actor(role, [])), {
            email: "z@example.com",
            role: "viewer",
            password: PASSWORD,
          }),
          "FORBIDDEN",
        );
      }
    });

    it("never leaves the server without an enabled super admin", async () => {
      const db = getDb();
      const { admin } = await makeAdmin(db, "super_admin", []);
      const others = await db.handle.db.admin.findMany({
        where: { role: "super_admin", id: { not: admin.id } },
        select: { id: true },
      });
      for (const other of others) await updateAdmin(db.ctx(), { id: other.id, disabled: true });
      await expectDomainError(updateAdmin(db.ctx(), { id: admin.id, role: "admin" }), "FAILED_PRECONDITION");
      await expectDomainError(updateAdmin(db.ctx(), { id: admin.id, disabled: true }), "FAILED_PRECONDITION");
      expect(
        (await db.handle.db.admin.findUniqueOrThrow({ where: { id: admin.id }, select: { role: true } }))
          .role,
      ).toBe("super_admin");
      for (const other of others) await updateAdmin(db.ctx(), { id: other.id, disabled: false });
    });

    it("every admin changes their own password; a super admin can reset one", async () => {
      const db = getDb();
      const { admin, as } = await makeAdmin(db, "viewer", []);
      expect((await getProfile(db.ctx(as))).email).toBe(admin.email);
      await expectDomainError(
        changeOwnPassword(db.ctx(as), {
          currentPassword: "wrong-password-1",
          newPassword: "another-long-password",
        }),
        "INVALID_ARGUMENT",
      );
      await changeOwnPassword(db.ctx(as), {
        currentPassword: PASSWORD,
        newPassword: "another-long-password",
      });
      const stored = await db.handle.db.admin.findUniqueOrThrow({
        where: { id: admin.id },
        select: { passwordHash: true },
      });
      expect(await verifyPassword("another-long-password", stored.passwordHash ?? "")).toBe(true);
      await setAdminPassword(db.ctx(), { id: admin.id, password: "reset-by-the-super-admin" });
      const reset = await db.handle.db.admin.findUniqueOrThrow({
        where: { id: admin.id },
        select: { passwordHash: true },
      });
      expect(await verifyPassword("reset-by-the-super-admin", reset.passwordHash ?? "")).toBe(true);
      await expectDomainError(getProfile(db.ctx()), "FORBIDDEN");
    });
  });

  describe("API keys", () => {
    it("are shown once, stored hashed, act with their role in their groups, and stop when revoked", async () => {
      const db = getDb();
      const { groupA, groupB, customer } = await makeWorld(db);
      const { as } = await makeAdmin(db, "admin", [groupA.id, groupB.id]);
      const { key, apiKey } = await createApiKey(db.ctx(as), {
        name: "CI",
        role: "editor",
        groupIds: [groupA.id],
      });
      expect(key).toMatch(API_KEY_PATTERN);
      expect(apiKey).toMatchObject({ prefix: key.slice(0, 12), role: "editor", groups: [{ id: groupA.id }] });
      const row = await db.handle.db.apiKey.findUniqueOrThrow({
        where: { id: apiKey.id },
        select: { keyHash: true },
      });
      expect(row.keyHash).not.toContain(key.slice(12));
      expect(JSON.stringify(await listApiKeys(db.ctx(as)))).not.toContain(key.slice(12));

      const keyActor = await authenticateApiKey(db.handle.db, key, db.clock.now());
      expect(keyActor).toMatchObject({
        type: "api_key",
        id: apiKey.id,
        role: "editor",
        groupIds: [groupA.id],
      });
      await updateCustomer(db.ctx(keyActor), { id: customer.id, notes: "via key" });
      const event = await db.handle.db.auditEvent.findFirstOrThrow({
        orderBy: { seq: "desc" },
        select: { actorType: true, actorId: true },
      });
      expect(event).toEqual({ actorType: "api_key", actorId: apiKey.id });
      const used = await db.handle.db.apiKey.findUniqueOrThrow({
        where: { id: apiKey.id },
        select: { lastUsedAt: true },
      });
      expect(used.lastUsedAt).toEqual(db.clock.now());

      await expectDomainError(
        authenticateApiKey(db.handle.db, key.slice(0, -1) + (key.endsWith("a") ? "b" : "a"), db.clock.now()),
        "UNAUTHENTICATED",
      );
      await expectDomainError(
        authenticateApiKey(db.handle.db, "lsk_short", db.clock.now()),
        "UNAUTHENTICATED",
      );
      await revokeApiKey(db.ctx(as), { id: apiKey.id });
      await expectDomainError(authenticateApiKey(db.handle.db, key, db.clock.now()), "UNAUTHENTICATED");
      await expectDomainError(getCustomer(db.ctx(keyActor), { id: "missing" }), "NOT_FOUND");
    });

    it("cannot outrank or outreach their creator, and die with an expired date or a disabled creator", async () => {
      const db = getDb();
      const { groupA, groupB } = await makeWorld(db);
      const { admin, as } = await makeAdmin(db, "editor", [groupA.id]);
      await expectDomainError(createApiKey(db.ctx(as), { name: "too strong", role: "admin" }), "FORBIDDEN");
      await expectDomainError(
        createApiKey(db.ctx(as), { name: "elsewhere", role: "viewer", groupIds: [groupB.id] }),
        "FORBIDDEN",
      );
      await expectDomainError(
        createApiKey(db.ctx(as), { name: "past", role: "viewer", expiresAt: new Date("2020-01-01") }),
        "INVALID_ARGUMENT",
      );

      const expiring = await createApiKey(db.ctx(as), {
        name: "short-lived",
        role: "viewer",
        expiresAt: new Date(db.clock.now().getTime() + 3_600_000),
      });
      expect((await authenticateApiKey(db.handle.db, expiring.key, db.clock.now())).role).toBe("viewer");
      await expectDomainError(
        authenticateApiKey(db.handle.db, expiring.key, new Date(db.clock.now().getTime() + 7_200_000)),
        "UNAUTHENTICATED",
      );

      const plain = await createApiKey(db.ctx(as), { name: "plain", role: "editor" });
      await updateAdmin(db.ctx(), { id: admin.id, role: "viewer" });
      expect((await authenticateApiKey(db.handle.db, plain.key, db.clock.now())).role).toBe("viewer");
      await updateAdmin(db.ctx(), { id: admin.id, disabled: true });
      await expectDomainError(authenticateApiKey(db.handle.db, plain.key, db.clock.now()), "UNAUTHENTICATED");

      const keyActor: Actor = { type: "api_key", id: "k", label: "k", role: "admin", groupIds: [] };
      await expectDomainError(
        createApiKey(db.ctx(keyActor), { name: "from a key", role: "viewer" }),
        "FORBIDDEN",
      );
      const other = await makeAdmin(db, "admin", []);
      await expectDomainError(revokeApiKey(db.ctx(other.as), { id: plain.apiKey.id }), "NOT_FOUND");
    });
  });

  describe("audit log", () => {
    it("lists and filters events for admins; viewers and editors may not read it", async () => {
      const db = getDb();
      const { license, groupA } = await makeWorld(db);
      // the admin of the license's group (an admin reads the events of their groups)
      const byTarget = await listAuditEvents(db.ctx(actor("admin", [groupA.id])), {
        targetType: "license",
        targetId: license.id,
      });
      expect(byTarget.items.map((e) => e.action)).toEqual(["license.create"]);
      const byArea = await listAuditEvents(db.ctx(actor("admin", [groupA.id])), {
        action: "license.",
        pageSize: 200,
      });
      expect(byArea.items.length).toBeGreaterThan(0);
      expect(byArea.items.every((e) => e.action.startsWith("license."))).toBe(true);
      const window = await listAuditEvents(db.ctx(actor("admin", [groupA.id])), {
        from: new Date(db.clock.now().getTime() + 1000).toISOString(),
      });
      expect(window.total).toBe(0);
      await expectDomainError(listAuditEvents(db.ctx(actor("editor", []))), "FORBIDDEN");
      await expectDomainError(listAuditEvents(db.ctx(actor("viewer", []))), "FORBIDDEN");
    });
  });
});
