// Password strength (issue 13): zxcvbn-ts, offline, on the server wherever a password is set —
// create admin, reset, change own, the first super admin from LICENSE_SERVER_ADMIN_PASSWORD and
// the admin CLI — on the domain, REST and tRPC, on both databases. Weak ones are refused with
// INVALID_ARGUMENT (400) and the reason; generated ones pass.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkPasswordStrength,
  MIN_PASSWORD_SCORE,
  passwordUserInputs,
} from "../../src/lib/password-strength.ts";
import { runAdminCli } from "../../src/server/admin-cli/program.ts";
import { generatePassword, verifyPassword } from "../../src/server/crypto/password.ts";
import { changeOwnPassword } from "../../src/server/core/admins/change-own-password.ts";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { setAdminPassword } from "../../src/server/core/admins/set-admin-password.ts";
import type { Actor } from "../../src/server/core/context.ts";
import { seedInitialData, WeakInitialPasswordError } from "../../src/server/db/seed.ts";
import { createLogger } from "../../src/server/logger.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { handleRestRequest, handleTrpcRequest } from "../../src/server/trpc/handlers.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { unique } from "../support/fixtures.ts";
import { testServices } from "../support/admin-services.ts";

/** what the brief names, each refused */
const WEAK = ["aaaaaaaaaaaa", "password1234", " ".repeat(12)];
const STRONG = "granite orchard lantern 42";
const BASE = "http://127.0.0.1:3000";
const JWT_SECRET = "p".repeat(40);

describe("the strength check", () => {
  it("refuses the weak ones with a reason, and too short or too long ones by length", async () => {
    for (const password of WEAK) {
      const rated = await checkPasswordStrength(password);
      expect(rated.acceptable, JSON.stringify(password)).toBe(false);
      expect(rated.score).toBeLessThan(MIN_PASSWORD_SCORE);
      expect(rated.message).toMatch(
        /^is too easy to guess \((very weak|weak|fair): strength \d of 4, needs 3\): /,
      );
    }
    expect((await checkPasswordStrength("password1234")).message).toMatch(/commonly used password/);
    expect((await checkPasswordStrength("Xq7#vLp2")).message).toBe("must be at least 12 characters");
    expect((await checkPasswordStrength("x".repeat(257))).message).toBe("must be at most 256 characters");
    expect((await checkPasswordStrength(STRONG)).acceptable).toBe(true);
  });

  it("counts the account's email and name as guessable", async () => {
    const email = "annabelle.leeward@acme.example";
    expect((await checkPasswordStrength(email)).acceptable).toBe(true);
    const inputs = passwordUserInputs(email, "Annabelle Leeward");
    expect(inputs).toEqual(expect.arrayContaining(["annabelle", "leeward", email]));
    expect((await checkPasswordStrength(email, inputs)).acceptable).toBe(false);
  });

  it("look-alikes of weak passwords are weak: full-width forms, invisible characters, the name run together (found by attack)", async () => {
    for (const password of [
      "ｐａｓｓｗｏｒｄ１２３４",
      "pass\u200bword1234",
      "\u2060".repeat(3) + "password1234",
    ]) {
      expect((await checkPasswordStrength(password)).acceptable, JSON.stringify(password)).toBe(false);
    }
    const inputs = passwordUserInputs("amsmith@acme.example", "Alexandra Montgomery-Smith");
    expect(inputs).toContain("alexandramontgomerysmith");
    expect((await checkPasswordStrength("AlexandraMontgomerySmith", inputs)).acceptable).toBe(false);
  });

  it("passes every generated password (bootstrap, admin CLI)", async () => {
    for (let i = 0; i < 100; i++) {
      const password = generatePassword();
      expect((await checkPasswordStrength(password)).acceptable, password).toBe(true);
    }
  });
});

describeEachDb("weak passwords refused on every path", (getDb) => {
  let db: TestDb;
  let services: ApiServices;
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const rest = async (method: string, path: string, token: string, body: unknown) => {
    const response = await handleRestRequest(
      new Request(`${BASE}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
      services,
    );
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const trpc = async (path: string, token: string, input: unknown) => {
    const response = await handleTrpcRequest(
      new Request(`${BASE}/api/trpc/${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(input),
      }),
      services,
    );
    const body = (await response.json()) as {
      error?: { message: string; data: { domainCode: string; fields: { path: string; message: string }[] } };
    };
    return { status: response.status, error: body.error };
  };
  const signIn = async (email: string, password: string) => {
    const response = await handleRestRequest(
      new Request(`${BASE}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      }),
      services,
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  };

  it("the first super admin from LICENSE_SERVER_ADMIN_PASSWORD: a weak one is refused, nothing is created", async () => {
    db = getDb();
    services = testServices(db, JWT_SECRET);
    const logger = createLogger({ level: "silent" });
    expect(await db.handle.db.admin.count()).toBe(0);
    for (const password of WEAK) {
      const refused = seedInitialData(
        db.handle,
        { email: "first@example.com", password },
        logger,
        randomBytes(32),
      );
      await expect(refused).rejects.toThrow(WeakInitialPasswordError);
      await expect(refused).rejects.toThrow(/^LICENSE_SERVER_ADMIN_PASSWORD is too easy to guess/);
    }
    expect(await db.handle.db.admin.count()).toBe(0);
    const seeded = await seedInitialData(
      db.handle,
      { email: "first@example.com", password: STRONG },
      logger,
      randomBytes(32),
    );
    expect(seeded).toEqual({ adminEmail: "first@example.com" });
  });

  it("create admin, reset and change own: INVALID_ARGUMENT with the reason on the field (domain)", async () => {
    const email = `${unique("weak")}@example.com`;
    for (const password of WEAK) {
      const error = await expectDomainError(
        createAdmin(db.ctx(), { email, role: "viewer", password }),
        "INVALID_ARGUMENT",
      );
      expect(error.message).toMatch(/^password: is too easy to guess/);
      expect(error.fields).toHaveLength(1);
      expect(error.fields[0]?.path).toBe("password");
      expect(error.fields[0]?.message).toMatch(/^is too easy to guess/);
    }
    expect(await db.handle.db.admin.count({ where: { email } })).toBe(0);
    // the account's own email as its password
    const named = `${unique("annabelle.leeward")}@acme.example`;
    await expectDomainError(
      createAdmin(db.ctx(), { email: named, role: "viewer", name: "Annabelle Leeward", password: named }),
      "INVALID_ARGUMENT",
    );

    const admin = await createAdmin(db.ctx(), { email, role: "viewer", password: STRONG });
    const actor: Actor = { type: "admin", id: admin.id, label: email, role: "viewer", groupIds: [] };
    for (const password of WEAK) {
      const reset = await expectDomainError(
        setAdminPassword(db.ctx(), { id: admin.id, password }),
        "INVALID_ARGUMENT",
      );
      expect(reset.fields[0]?.path).toBe("password");
      const own = await expectDomainError(
        changeOwnPassword(db.ctx(actor), { currentPassword: STRONG, newPassword: password }),
        "INVALID_ARGUMENT",
      );
      expect(own.message).toMatch(/^newPassword: is too easy to guess/);
    }
    const stored = await db.handle.db.admin.findUniqueOrThrow({
      where: { id: admin.id },
      select: { passwordHash: true },
    });
    expect(await verifyPassword(STRONG, stored.passwordHash ?? "")).toBe(true);
    // a strong one is taken
    await changeOwnPassword(db.ctx(actor), {
      currentPassword: STRONG,
      newPassword: "violet harbor compass 17",
    });
  });

  it("REST and tRPC answer 400 with the reason", async () => {
    // (the seeded admin's password is dated by the wall clock, after this test clock's tokens)
    const rootEmail = `${unique("root")}@example.com`;
    await createAdmin(db.ctx(), { email: rootEmail, role: "super_admin", password: STRONG });
    const token = await signIn(rootEmail, STRONG);
    const email = `${unique("api")}@example.com`;
    for (const password of WEAK) {
      const created = await rest("POST", "/admins", token, { email, role: "viewer", password });
      expect(created.status).toBe(400);
      expect(created.body.message).toMatch(/^password: is too easy to guess/);
      const viaTrpc = await trpc("admins.create", token, { email, role: "viewer", password });
      expect(viaTrpc.status).toBe(400);
      expect(viaTrpc.error?.data.domainCode).toBe("INVALID_ARGUMENT");
      expect(viaTrpc.error?.data.fields[0]).toMatchObject({ path: "password" });
    }
    expect(await db.handle.db.admin.count({ where: { email } })).toBe(0);

    const created = await rest("POST", "/admins", token, { email, role: "viewer", password: STRONG });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const id = created.body.id as string;
    const reset = await rest("POST", `/admins/${id}/password`, token, { password: "password1234" });
    expect(reset.status).toBe(400);
    expect(reset.body.message).toMatch(/commonly used password/);
    const resetTrpc = await trpc("admins.setPassword", token, { id, password: "aaaaaaaaaaaa" });
    expect(resetTrpc.status).toBe(400);

    const own = await signIn(email, STRONG);
    const change = await rest("POST", "/profile/password", own, {
      currentPassword: STRONG,
      newPassword: " ".repeat(12),
    });
    expect(change.status).toBe(400);
    expect(change.body.message).toMatch(/^newPassword: is too easy to guess/);
    const changeTrpc = await trpc("profile.changePassword", own, {
      currentPassword: STRONG,
      newPassword: "password1234",
    });
    expect(changeTrpc.status).toBe(400);
    expect(changeTrpc.error?.message).toMatch(/^newPassword: is too easy to guess/);
  });

  it("the admin CLI (create-admin, reset-password with --password-stdin) exits 1 with the reason", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ls-pw-cli-"));
    dirs.push(dataDir);
    const env = {
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
      DATABASE_URL: db.provider === "sqlite" ? `file:${db.target.url}` : db.target.url,
      JWT_SECRET,
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    };
    const admin = async (args: string[], stdin: string) => {
      let stdout = "";
      let stderr = "";
      const code = await runAdminCli(args, {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        readStdin: () => Promise.resolve(stdin),
        env,
        interactive: false,
      });
      return { code, stdout, stderr };
    };
    const email = `${unique("cli")}@example.com`;
    for (const password of WEAK) {
      const created = await admin(["create-admin", "--email", email, "--password-stdin"], `${password}\n`);
      expect(created.code).toBe(1);
      expect(created.stderr).toMatch(/password: is too easy to guess/);
      const reset = await admin(["reset-password", "first@example.com", "--password-stdin"], `${password}\n`);
      expect(reset.code).toBe(1);
      expect(reset.stderr).toMatch(/password: is too easy to guess/);
    }
    expect(await db.handle.db.admin.count({ where: { email } })).toBe(0);
    // generated ones pass
    const generated = await admin(["create-admin", "--email", email, "--json"], "");
    expect(generated.code, generated.stderr).toBe(0);
  });
});
