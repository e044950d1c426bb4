// The operator's CLI (npm run admin): every command on a real data directory, a restore of the
// SQLite server's backup into PostgreSQL (the move to PostgreSQL), and the exit codes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { runAdminCli } from "../../src/server/admin-cli/program.ts";
import { verifyPassword } from "../../src/server/crypto/password.ts";
import { openDatabase } from "../../src/server/db/client.ts";
import { createDatabase, dropDatabase, randomDatabaseName } from "../support/postgres.ts";

const dataDir = mkdtempSync(join(tmpdir(), "ls-admin-cli-"));
const env = { DATA_DIR: dataDir, LOG_LEVEL: "silent" };
const pgDatabases: string[] = [];
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  for (const name of pgDatabases) await dropDatabase(name);
});

async function admin(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runAdminCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: () => Promise.resolve(options.stdin ?? ""),
    env: { ...env, ...options.env },
    interactive: false,
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> };
}

describe("admin CLI", () => {
  let backupPath = "";

  it("migrates, creates an admin, resets its password, rotates the signing key", async () => {
    const migrated = await admin(["migrate", "--json"]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.json().applied).not.toHaveLength(0);
    expect((await admin(["migrate"])).stdout).toMatch(/up to date/);

    const created = await admin(["create-admin", "--email", "Root@Example.com", "--name", "Root", "--json"]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.json()).toMatchObject({ email: "root@example.com", role: "super_admin" });
    const generated = created.json().password as string;
    expect(generated.length).toBeGreaterThanOrEqual(12);

    const duplicate = await admin(["create-admin", "--email", "root@example.com"]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists/);
    const badRole = await admin(["create-admin", "--email", "x@example.com", "--role", "owner"]);
    expect(badRole.code).toBe(2);

    const reset = await admin(["reset-password", "root@example.com", "--password-stdin"], {
      stdin: "correct horse battery staple\n",
    });
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).not.toMatch(/staple/);
    const short = await admin(["reset-password", "root@example.com", "--password-stdin"], { stdin: "short" });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/password: must be at least 12/);
    expect((await admin(["reset-password", "nobody@example.com"])).stderr).toMatch(/no admin has the email/);

    const rotated = await admin(["rotate-signing-key", "--json"]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.json().kid).toMatch(/^[0-9a-f]{16}$/);

    const handle = await openDatabase({ provider: "sqlite", url: join(dataDir, "license.db") });
    try {
      const row = await handle.db.admin.findUniqueOrThrow({
        where: { email: "root@example.com" },
        select: { passwordHash: true },
      });
      expect(await verifyPassword("correct horse battery staple", row.passwordHash ?? "")).toBe(true);
      const actions = await handle.db.auditEvent.findMany({
        orderBy: { seq: "asc" },
        select: { action: true, actorLabel: true },
      });
      expect(actions.map((a) => a.action)).toEqual([
        "admin.create",
        "admin.password_reset",
        "signing_key.rotate",
      ]);
      expect(actions[0]?.actorLabel).toMatch(/^admin-cli \(/);
    } finally {
      await handle.close();
    }
  });

  it("backs up, verifies, refuses a non-empty target, restores into PostgreSQL", async () => {
    const made = await admin(["backup", "--json"]);
    expect(made.code, made.stderr).toBe(0);
    backupPath = made.json().path as string;
    expect(backupPath.startsWith(join(dataDir, "backups"))).toBe(true);

    const verified = await admin(["verify-backup", backupPath]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/backup ok: \d+ rows from sqlite/);

    const wrongKey = await admin(["verify-backup", backupPath], { env: { BACKUP_KEY: "ab".repeat(32) } });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/another key/);

    const occupied = await admin(["restore", backupPath]);
    expect(occupied.code).toBe(1);
    expect(occupied.stderr).toMatch(/not empty/);

    if (inject("postgresUnavailable")) return;
    const name = randomDatabaseName("ls_restore");
    pgDatabases.push(name);
    const url = await createDatabase(name);
    // a wrong key touches nothing: not even the migrations run
    const refused = await admin(["restore", backupPath, "--database-url", url], {
      env: { BACKUP_KEY: "cd".repeat(32) },
    });
    expect(refused.code).toBe(1);
    const restored = await admin(["restore", backupPath, "--database-url", url, "--json"]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.json()).toMatchObject({ from: "sqlite", to: "postgresql" });
    const audit = await admin(["verify-audit", "--json"], { env: { DATABASE_URL: url } });
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.json()).toMatchObject({ ok: true, checked: 3 });
  });

  it("reports a broken audit chain with its own exit code", async () => {
    const handle = await openDatabase({ provider: "sqlite", url: join(dataDir, "license.db") });
    try {
      await handle.db.auditEvent.update({ where: { seq: 2 }, data: { actorLabel: "someone else" } });
    } finally {
      await handle.close();
    }
    const audit = await admin(["verify-audit"]);
    expect(audit.code).toBe(3);
    expect(audit.stdout).toMatch(/BROKEN at record 2 \(hash-mismatch\)/);
  });

  it("runs as npm run admin, with --help on every command and non-zero exits", () => {
    const root = join(import.meta.dirname, "..", "..");
    const run = (args: string[], extra: Record<string, string> = {}) =>
      spawnSync(process.execPath, ["--import", "tsx", "scripts/admin.ts", ...args], {
        cwd: root,
        env: { ...process.env, ...env, ...extra },
        encoding: "utf8",
      });
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    for (const command of [
      "migrate",
      "create-admin",
      "reset-password",
      "rotate-signing-key",
      "backup",
      "restore",
      "verify-audit",
    ])
      expect(help.stdout).toContain(command);
    const restoreHelp = run(["restore", "--help"]);
    expect(restoreHelp.status).toBe(0);
    expect(restoreHelp.stdout).toMatch(/--database-url/);
    expect(run(["no-such-command"]).status).toBe(2);
    const noSecrets = run(["verify-audit"], { DATA_DIR: join(dataDir, "elsewhere") });
    expect(noSecrets.status).toBe(2);
    expect(noSecrets.stderr).toMatch(/ENCRYPTION_KEY/);
  });
});
