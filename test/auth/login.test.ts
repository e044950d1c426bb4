import { describe, expect, it } from "vitest";
import { authenticateAccessToken } from "../../src/server/auth/admin-actor.ts";
import { issueAccessToken } from "../../src/server/auth/jwt.ts";
import { login, type DirectoryIdentity, type LoginDeps } from "../../src/server/auth/login.ts";
import { DEFAULT_LOGIN_LIMITS, LoginLimiter } from "../../src/server/auth/rate-limit.ts";
import { totpCode } from "../../src/server/core/two-factor/totp.ts";
import { changeOwnPassword } from "../../src/server/core/admins/change-own-password.ts";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { updateAdmin } from "../../src/server/core/admins/update-admin.ts";
import type { Actor } from "../../src/server/core/context.ts";
import { listCustomers } from "../../src/server/core/customers/list-customers.ts";
import { updateSettings } from "../../src/server/core/settings/update-settings.ts";
import { confirmTotp } from "../../src/server/core/two-factor/confirm-totp.ts";
import { disableTotp } from "../../src/server/core/two-factor/disable-totp.ts";
import { enrollTotp } from "../../src/server/core/two-factor/enroll-totp.ts";
import { regenerateRecoveryCodes } from "../../src/server/core/two-factor/regenerate-recovery-codes.ts";
import { createLogger } from "../../src/server/logger.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { makeGroup, unique } from "../support/fixtures.ts";

const PASSWORD = "correct horse battery";
const JWT_SECRET = "x".repeat(40);

function deps(db: TestDb, extra: Partial<LoginDeps> = {}): LoginDeps {
  const ctx = db.ctx();
  return {
    db: db.handle.db,
    provider: db.provider,
    now: db.clock.now(),
    logger: createLogger({ level: "silent" }),
    jwtSecret: JWT_SECRET,
    encryptionKey: ctx.encryptionKey,
    limiter: new LoginLimiter(),
    directory: null,
    ...extra,
  };
}

async function makeAdmin(db: TestDb) {
  const email = `${unique("person")}@example.com`;
  const admin = await createAdmin(db.ctx(), { email, role: "editor", password: PASSWORD });
  const as: Actor = { type: "admin", id: admin.id, label: email, role: "editor", groupIds: [] };
  return { admin, email, as };
}

describeEachDb("sign-in", (getDb) => {
  describe("password and token", () => {
    it("issues a token that authenticates the admin as the database says now", async () => {
      const db = getDb();
      const { admin, email } = await makeAdmin(db);
      const result = await login(deps(db), { email: email.toUpperCase(), password: PASSWORD }, "10.0.0.1");
      expect(result.admin.id).toBe(admin.id);
      expect(result.expiresAt.getTime() - db.clock.now().getTime()).toBe(3_600_000);
      const actor = await authenticateAccessToken(db.handle.db, JWT_SECRET, result.token, db.clock.now());
      expect(actor).toMatchObject({ type: "admin", id: admin.id, role: "editor" });
      const event = await db.handle.db.auditEvent.findFirstOrThrow({
        where: { action: "auth.login", targetId: admin.id },
        select: { ip: true },
      });
      expect(event.ip).toBe("10.0.0.1");

      await updateAdmin(db.ctx(), { id: admin.id, role: "viewer" });
      expect(
        (await authenticateAccessToken(db.handle.db, JWT_SECRET, result.token, db.clock.now())).role,
      ).toBe("viewer");
      await expectDomainError(
        authenticateAccessToken(db.handle.db, "y".repeat(40), result.token, db.clock.now()),
        "UNAUTHENTICATED",
      );
      await expectDomainError(
        authenticateAccessToken(
          db.handle.db,
          JWT_SECRET,
          result.token,
          new Date(db.clock.now().getTime() + 3_700_000),
        ),
        "UNAUTHENTICATED",
      );
      await updateAdmin(db.ctx(), { id: admin.id, disabled: true });
      await expectDomainError(
        authenticateAccessToken(db.handle.db, JWT_SECRET, result.token, db.clock.now()),
        "UNAUTHENTICATED",
      );
      await expectDomainError(login(deps(db), { email, password: PASSWORD }, "10.0.0.1"), "UNAUTHENTICATED");
    });

    it("refuses wrong passwords and unknown emails alike, and bad input clearly", async () => {
      const db = getDb();
      const { email } = await makeAdmin(db);
      const wrong = await expectDomainError(
        login(deps(db), { email, password: "nope" }, "10.0.0.2"),
        "UNAUTHENTICATED",
      );
      const unknown = await expectDomainError(
        login(deps(db), { email: "ghost@example.com", password: "nope" }, "10.0.0.2"),
        "UNAUTHENTICATED",
      );
      expect(wrong.message).toBe(unknown.message);
      const bad = await expectDomainError(
        login(deps(db), { email: "", password: "" }, "10.0.0.2"),
        "INVALID_ARGUMENT",
      );
      expect(bad.fields.map((f) => f.path).sort()).toEqual(["email", "password"]);
    });

    it("a password change signs out tokens issued before it", async () => {
      const db = getDb();
      const { email, as } = await makeAdmin(db);
      const first = await login(deps(db), { email, password: PASSWORD }, "10.0.0.3");
      db.clock.advance(2000);
      await changeOwnPassword(db.ctx(as), { currentPassword: PASSWORD, newPassword: "a brand new password" });
      await expectDomainError(
        authenticateAccessToken(db.handle.db, JWT_SECRET, first.token, db.clock.now()),
        "UNAUTHENTICATED",
      );
      const fresh = await issueAccessToken(JWT_SECRET, as.id ?? "", db.clock.now());
      expect((await authenticateAccessToken(db.handle.db, JWT_SECRET, fresh.token, db.clock.now())).id).toBe(
        as.id,
      );
    });
  });

  describe("brute-force protection", () => {
    it("locks an account after 5 failures and an address after its limit, with a clear error", async () => {
      const db = getDb();
      const { email } = await makeAdmin(db);
      // the default per-address limit is 20; 8 keeps the test quick (each attempt runs scrypt)
      const d = deps(db, {
        limiter: new LoginLimiter({
          perAccount: DEFAULT_LOGIN_LIMITS.perAccount,
          perAddress: { ...DEFAULT_LOGIN_LIMITS.perAddress, failures: 8 },
        }),
      });
      for (let i = 0; i < 5; i++)
        await expectDomainError(login(d, { email, password: "wrong" }, "10.1.0.1"), "UNAUTHENTICATED");
      const locked = await expectDomainError(
        login(d, { email, password: PASSWORD }, "10.1.0.9"),
        "RATE_LIMITED",
      );
      expect(locked.message).toMatch(/too many failed sign-in attempts; try again in \d+ s/);
      expect(locked.retryAfterSeconds).toBeGreaterThan(800);

      const other = await makeAdmin(db);
      for (let i = 0; i < 8; i++) {
        await expectDomainError(
          login(d, { email: `nobody${i}@example.com`, password: "wrong" }, "10.2.0.1"),
          "UNAUTHENTICATED",
        );
      }
      await expectDomainError(
        login(d, { email: other.email, password: PASSWORD }, "10.2.0.1"),
        "RATE_LIMITED",
      );
      expect((await login(d, { email: other.email, password: PASSWORD }, "10.2.0.2")).admin.id).toBe(
        other.admin.id,
      );
    });

    it("with RATE_LIMIT_STORE=database, instances share the failures: 5 spread over two lock the account", async () => {
      const db = getDb();
      const { email } = await makeAdmin(db);
      const shared = { target: db.target, logger: createLogger({ level: "silent" }) };
      const instances = [
        new LoginLimiter(DEFAULT_LOGIN_LIMITS, shared),
        new LoginLimiter(DEFAULT_LOGIN_LIMITS, shared),
      ];
      try {
        const [a, b] = instances.map((limiter) => deps(db, { limiter })) as [LoginDeps, LoginDeps];
        for (let i = 0; i < 5; i++)
          await expectDomainError(
            login(i % 2 ? b : a, { email, password: "wrong" }, "10.3.0.1"),
            "UNAUTHENTICATED",
          );
        for (const d of [a, b])
          await expectDomainError(login(d, { email, password: PASSWORD }, "10.3.0.2"), "RATE_LIMITED");
      } finally {
        await Promise.all(instances.map((limiter) => limiter.close()));
      }
    });
  });

  describe("two-factor authentication", () => {
    it("enrolls with a QR code, confirms, then needs a code (each accepted once) or a recovery code", async () => {
      const db = getDb();
      const { email, as, admin } = await makeAdmin(db);
      const enrollment = await enrollTotp(db.ctx(as));
      expect(enrollment.otpauthUri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
      expect(enrollment.qrCode).toMatch(/^data:image\/png;base64,/);
      const stored = await db.handle.db.admin.findUniqueOrThrow({
        where: { id: admin.id },
        select: { totpSecretEnc: true, totpEnabled: true },
      });
      expect(stored.totpEnabled).toBe(false);
      expect(stored.totpSecretEnc).not.toContain(enrollment.secret);

      await expectDomainError(confirmTotp(db.ctx(as), { code: "000000" }), "INVALID_ARGUMENT");
      const { recoveryCodes } = await confirmTotp(db.ctx(as), {
        code: await totpCode(enrollment.secret, db.clock.now()),
      });
      expect(recoveryCodes).toHaveLength(10);

      const needsCode = await expectDomainError(
        login(deps(db), { email, password: PASSWORD }, "10.3.0.1"),
        "UNAUTHENTICATED",
      );
      expect(needsCode.fields).toEqual([{ path: "totp", message: "required" }]);
      db.clock.advance(30_000);
      const code = await totpCode(enrollment.secret, db.clock.now());
      expect(
        (await login(deps(db), { email, password: PASSWORD, totp: code }, "10.3.0.1")).admin.totpEnabled,
      ).toBe(true);
      await expectDomainError(
        login(deps(db), { email, password: PASSWORD, totp: code }, "10.3.0.1"),
        "UNAUTHENTICATED",
      );

      db.clock.advance(30_000);
      const fresh = await regenerateRecoveryCodes(db.ctx(as), {
        code: await totpCode(enrollment.secret, db.clock.now()),
      });
      expect(fresh.recoveryCodes).toHaveLength(10);
      await expectDomainError(
        login(deps(db), { email, password: PASSWORD, totp: recoveryCodes[0] ?? "" }, "10.3.0.1"),
        "UNAUTHENTICATED",
      );
      const recovery = fresh.recoveryCodes[3] ?? "";
      await login(deps(db), { email, password: PASSWORD, totp: recovery.toLowerCase() }, "10.3.0.1");
      await expectDomainError(
        login(deps(db), { email, password: PASSWORD, totp: recovery }, "10.3.0.1"),
        "UNAUTHENTICATED",
      );

      db.clock.advance(30_000);
      await expectDomainError(
        disableTotp(db.ctx(as), {
          password: "wrong-password",
          code: await totpCode(enrollment.secret, db.clock.now()),
        }),
        "INVALID_ARGUMENT",
      );
      db.clock.advance(30_000);
      await disableTotp(db.ctx(as), {
        password: PASSWORD,
        code: await totpCode(enrollment.secret, db.clock.now()),
      });
      expect((await login(deps(db), { email, password: PASSWORD }, "10.3.0.1")).admin.totpEnabled).toBe(
        false,
      );
    });

    it("when required for everyone, admins without it may only enroll", async () => {
      const db = getDb();
      const group = await makeGroup(db);
      const email = `${unique("late")}@example.com`;
      const admin = await createAdmin(db.ctx(), {
        email,
        role: "admin",
        password: PASSWORD,
        groupIds: [group.id],
      });
      await updateSettings(db.ctx(), { requireTwoFactor: true });
      try {
        const result = await login(deps(db), { email, password: PASSWORD }, "10.4.0.1");
        expect(result.mustEnrollTwoFactor).toBe(true);
        const actor = await authenticateAccessToken(db.handle.db, JWT_SECRET, result.token, db.clock.now());
        expect(actor.mustEnrollTwoFactor).toBe(true);
        const refused = await expectDomainError(listCustomers(db.ctx(actor)), "FORBIDDEN");
        expect(refused.message).toMatch(/two-factor authentication is required/);
        const enrollment = await enrollTotp(db.ctx(actor));
        await confirmTotp(db.ctx(actor), { code: await totpCode(enrollment.secret, db.clock.now()) });
        const after = await authenticateAccessToken(db.handle.db, JWT_SECRET, result.token, db.clock.now());
        expect(after.mustEnrollTwoFactor).toBeUndefined();
        expect((await listCustomers(db.ctx(after), { groupId: group.id })).total).toBe(0);
        expect(admin.id).toBe(after.id);
      } finally {
        await updateSettings(db.ctx(), { requireTwoFactor: false });
      }
    });
  });

  describe("directory accounts", () => {
    it("are created on first sign-in with the mapped role and groups, and refused without a mapping", async () => {
      const db = getDb();
      const group = await makeGroup(db);
      const email = `${unique("dir")}@example.com`;
      let identity: DirectoryIdentity | null = {
        email,
        name: "Dee Rectory",
        role: "admin",
        groups: [group.name, "no-such-group"],
      };
      const directory = (username: string, password: string) =>
        Promise.resolve(username === email && password === "ldap-secret" ? identity : null);
      const result = await login(deps(db, { directory }), { email, password: "ldap-secret" }, "10.5.0.1");
      expect(result.admin).toMatchObject({
        email,
        role: "admin",
        authSource: "ldap",
        groups: [{ id: group.id }],
      });
      await expectDomainError(
        login(deps(db, { directory }), { email, password: "wrong" }, "10.5.0.1"),
        "UNAUTHENTICATED",
      );

      identity = { ...identity, role: "viewer", groups: [] };
      const again = await login(deps(db, { directory }), { email, password: "ldap-secret" }, "10.5.0.1");
      expect(again.admin).toMatchObject({ id: result.admin.id, role: "viewer", groups: [] });
      const synced = await db.handle.db.auditEvent.findFirstOrThrow({
        where: { action: "admin.update", targetId: result.admin.id },
        select: { actorLabel: true, summary: true },
      });
      expect(synced.actorLabel).toBe("ldap");
      expect(JSON.parse(synced.summary)).toMatchObject({
        from: { role: "admin" },
        to: { role: "viewer", groupIds: [] },
      });
      identity = { ...identity, role: null };
      await expectDomainError(
        login(deps(db, { directory }), { email, password: "ldap-secret" }, "10.5.0.1"),
        "UNAUTHENTICATED",
      );
    });
  });
});
