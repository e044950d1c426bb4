// Sign-in for people (web login) and tools (POST /api/v1/auth/login): a local password or the
// LDAP directory, then TOTP when the account has it, under brute-force limits counted before
// anything is checked. Every transport signs in through this one function.
import type { Role } from "../core/context.ts";
import { adminSelect, toAdminDto, type AdminDto } from "../core/admins/select.ts";
import { writeAuditEvent } from "../core/audit/write-audit-event.ts";
import { DomainError } from "../core/errors.ts";
import { parseInput } from "../core/shared/parse-input.ts";
import { readSettings } from "../core/settings/settings.ts";
import { consumeRecoveryCode } from "../core/two-factor/recovery-codes.ts";
import { decryptSecret } from "../crypto/aes-gcm.ts";
import type { Db } from "../db/client.ts";
import type { DbProvider } from "../db/provider.ts";
import type { Logger } from "../logger.ts";
import { issueAccessToken } from "./jwt.ts";
import { hashPassword, verifyPassword } from "../crypto/password.ts";
import type { AttemptOutcome, LoginLimiter } from "./rate-limit.ts";
import { checkTotp } from "../core/two-factor/totp.ts";
import { ZLoginInput, type TLoginInput } from "./login-input.ts";
export { ZLoginInput, type TLoginInput };

/** What the directory says about a person who signed in (see ldap/authenticate.ts). */
export interface DirectoryIdentity {
  email: string;
  name: string;
  role: Role | null;
  /** license-server group names */
  groups: string[];
}

export interface LoginDeps {
  db: Db;
  provider: DbProvider;
  now: Date;
  logger: Logger;
  jwtSecret: string;
  encryptionKey: Buffer;
  limiter: LoginLimiter;
  /** null: LDAP sign-in is off */
  directory: ((username: string, password: string) => Promise<DirectoryIdentity | null>) | null;
}

export interface LoginResult {
  token: string;
  expiresAt: Date;
  admin: AdminDto;
  /** 2FA is required on this server and the account has none: only enrollment works until then */
  mustEnrollTwoFactor: boolean;
  /** this sign-in passed a TOTP or recovery code */
  secondFactor: boolean;
}

const badCredentials = () => new DomainError("UNAUTHENTICATED", "wrong email or password");
// verifying against this keeps the time of an unknown email close to that of a wrong password
let dummyHash: Promise<string> | undefined;

/**
 * Signs in. The attempt is counted for the account and the address before anything is checked
 * (./rate-limit.ts): past the limit it is refused with RATE_LIMITED and nothing is hashed. Wrong
 * passwords and wrong or reused second factors keep their count; a success gives it back.
 */
export async function login(deps: LoginDeps, input: TLoginInput, ip: string): Promise<LoginResult> {
  const credentials = parseInput(ZLoginInput, input);
  const attempt = await deps.limiter.begin(credentials.email, ip);
  let outcome: AttemptOutcome = "failure";
  try {
    const result = await checkCredentials(deps, credentials, ip);
    outcome = "success";
    return result;
  } catch (error) {
    if (undecided(error)) outcome = "undecided";
    throw error;
  } finally {
    await attempt.end(outcome);
  }
}

/** Errors that decide nothing about the credentials: their attempt is not counted. */
function undecided(error: unknown): boolean {
  if (!(error instanceof DomainError)) return false;
  // the checks were busy or the directory unreachable: nothing was checked
  if (error.code === "RATE_LIMITED" || error.code === "UNAVAILABLE") return true;
  return error.fields.some((f) => f.path === "totp" && f.message === "required");
}

async function checkCredentials(
  deps: LoginDeps,
  { email, password, totp }: { email: string; password: string; totp?: string | undefined },
  ip: string,
): Promise<LoginResult> {
  const fail = (error: DomainError, reason: string): never => {
    deps.logger.warn({ account: email, ip, reason }, "sign-in refused");
    throw error;
  };

  const checked = await authenticatePassword(deps, email, password, ip);
  if (!checked) return fail(badCredentials(), "credentials");
  const adminId = checked.id;

  const admin = await deps.db.admin.findUniqueOrThrow({
    where: { id: adminId },
    select: {
      disabled: true,
      totpEnabled: true,
      totpSecretEnc: true,
      totpLastStep: true,
      recoveryCodes: true,
    },
  });
  if (admin.disabled) return fail(badCredentials(), "disabled");

  let totpStep: number | null = null;
  let recoveryCodes: string | undefined;
  if (admin.totpEnabled && admin.totpSecretEnc) {
    if (!totp) {
      // the password was right: say what is missing, without counting a failure
      throw new DomainError("UNAUTHENTICATED", "enter the code from your authenticator app", [
        { path: "totp", message: "required" },
      ]);
    }
    if (/^\d{6}$/.test(totp)) {
      const secret = decryptSecret(deps.encryptionKey, admin.totpSecretEnc, `totp:${adminId}`);
      totpStep = await checkTotp(secret, totp, deps.now, admin.totpLastStep);
      if (totpStep === null) return fail(invalidTotp(), "totp");
    } else {
      const remaining = await deps.limiter.gate.run(ip, () => consumeRecoveryCode(totp, admin.recoveryCodes));
      if (!remaining) return fail(invalidTotp(), "recovery code");
      recoveryCodes = JSON.stringify(remaining);
    }
  }

  const row = await deps.db.$transaction(async (tx) => {
    // compare-and-set on what was checked: the TOTP step only moves forward and the recovery
    // codes only change from the list read, so parallel sign-ins with one code succeed once; and
    // an account disabled, given 2FA or a new password meanwhile is not signed in on the old
    // state (the password checked is the hash read: a change in between refuses this sign-in)
    const claimed = await tx.admin.updateMany({
      where: {
        id: adminId,
        disabled: false,
        totpEnabled: admin.totpEnabled,
        ...(checked.passwordHash !== null ? { passwordHash: checked.passwordHash } : {}),
        ...(totpStep !== null ? { OR: [{ totpLastStep: null }, { totpLastStep: { lt: totpStep } }] } : {}),
        ...(recoveryCodes !== undefined ? { recoveryCodes: admin.recoveryCodes } : {}),
      },
      data: {
        lastLoginAt: deps.now,
        ...(totpStep !== null ? { totpLastStep: totpStep } : {}),
        ...(recoveryCodes !== undefined ? { recoveryCodes } : {}),
      },
    });
    if (claimed.count === 0) return null;
    const updated = await tx.admin.findUniqueOrThrow({ where: { id: adminId }, select: adminSelect });
    await writeAuditEvent(
      tx,
      {
        provider: deps.provider,
        actor: { type: "admin", id: adminId, label: updated.email, role: updated.role as Role, groupIds: [] },
        ip,
        now: deps.now,
        encryptionKey: deps.encryptionKey,
      },
      {
        action: "auth.login",
        targetType: "admin",
        targetId: adminId,
        summary: {
          method: updated.authSource,
          secondFactor: totpStep !== null ? "totp" : recoveryCodes ? "recovery_code" : "none",
        },
      },
    );
    return updated;
  });
  if (!row) {
    return admin.totpEnabled && admin.totpSecretEnc
      ? fail(invalidTotp(), "second factor already used")
      : fail(badCredentials(), "account changed during sign-in");
  }
  const secondFactor = totpStep !== null || recoveryCodes !== undefined;
  const { token, expiresAt } = await issueAccessToken(deps.jwtSecret, adminId, deps.now, { secondFactor });
  const settings = await readSettings(deps.db);
  return {
    token,
    expiresAt,
    admin: toAdminDto(row),
    mustEnrollTwoFactor: settings.requireTwoFactor && !row.totpEnabled,
    secondFactor,
  };
}

function invalidTotp(): DomainError {
  return new DomainError("UNAUTHENTICATED", "the authenticator or recovery code is not valid", [
    { path: "totp", message: "is not valid" },
  ]);
}

/** The id of the admin these credentials belong to, or null. */
async function authenticatePassword(
  deps: LoginDeps,
  login: string,
  password: string,
  ip: string,
): Promise<{ id: string; passwordHash: string | null } | null> {
  const email = login.toLowerCase();
  const local = await deps.db.admin.findUnique({
    where: { email },
    select: { id: true, authSource: true, passwordHash: true },
  });
  if (local?.authSource === "local") {
    const hash = local.passwordHash;
    return hash && (await deps.limiter.gate.run(ip, () => verifyPassword(password, hash)))
      ? { id: local.id, passwordHash: hash }
      : null;
  }
  if (!deps.directory) {
    await deps.limiter.gate.run(ip, async () => {
      dummyHash ??= hashPassword("timing equalizer");
      await verifyPassword(password, await dummyHash);
    });
    return null;
  }
  const identity = await deps.directory(login, password);
  if (!identity) return null;
  const id = await provisionDirectoryAdmin(deps, identity);
  // the directory checked the password: no local hash to hold on to
  return id ? { id, passwordHash: null } : null;
}

/**
 * Creates the admin on a directory account's first sign-in and keeps its role and groups in step
 * with the directory's group mapping on every later one. No mapped role: no access.
 */
async function provisionDirectoryAdmin(deps: LoginDeps, identity: DirectoryIdentity): Promise<string | null> {
  if (!identity.role) {
    deps.logger.warn({ account: identity.email }, "directory account has no mapped role");
    return null;
  }
  const role = identity.role;
  const email = identity.email.toLowerCase();
  return deps.db.$transaction(async (tx) => {
    const groups = await tx.group.findMany({
      where: { name: { in: identity.groups } },
      select: { id: true, name: true },
    });
    const unknown = identity.groups.filter((name) => !groups.some((g) => g.name === name));
    if (unknown.length > 0)
      deps.logger.warn({ groups: unknown }, "LDAP group mapping names groups that do not exist");
    const groupIds = groups.map((g) => g.id);
    const existing = await tx.admin.findUnique({
      where: { email },
      select: { id: true, authSource: true, role: true, groups: { select: { groupId: true } } },
    });
    if (existing && existing.authSource !== "ldap") return null;
    const audit = {
      provider: deps.provider,
      actor: { type: "system" as const, id: null, label: "ldap", role: "super_admin" as const, groupIds: [] },
      now: deps.now,
      encryptionKey: deps.encryptionKey,
    };
    if (!existing) {
      const created = await tx.admin.create({
        data: {
          email,
          name: identity.name,
          role,
          authSource: "ldap",
          groups: { create: groupIds.map((groupId) => ({ groupId })) },
        },
        select: { id: true },
      });
      await writeAuditEvent(tx, audit, {
        action: "admin.create",
        targetType: "admin",
        targetId: created.id,
        summary: { email, role, groupIds, source: "ldap" },
      });
      return created.id;
    }
    const before = { role: existing.role, groupIds: existing.groups.map((g) => g.groupId).sort() };
    const after = { role, groupIds: [...groupIds].sort() };
    await tx.adminGroup.deleteMany({ where: { adminId: existing.id } });
    await tx.adminGroup.createMany({ data: groupIds.map((groupId) => ({ adminId: existing.id, groupId })) });
    await tx.admin.update({
      where: { id: existing.id },
      data: { role, name: identity.name },
      select: { id: true },
    });
    // the directory changed what this admin may do: that is a change like any other
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      await writeAuditEvent(tx, audit, {
        action: "admin.update",
        targetType: "admin",
        targetId: existing.id,
        summary: { from: before, to: after, source: "ldap" },
      });
    }
    return existing.id;
  });
}
