// The data directory is 0700 and the SQLite files (license.db, -wal, -shm) 0600 (issue 13): what
// the launcher runs before serving (loadConfig with generated secrets, prepareDatabase) on a fresh
// data directory, then the app's own connection writing in WAL mode; files left looser by an
// earlier version are tightened on the next start. Also the first super admin from a weak
// LICENSE_SERVER_ADMIN_PASSWORD: the start is refused with the reason, on both databases.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { prepareDatabase, StartupError } from "../../src/server/bootstrap.ts";
import { loadConfig } from "../../src/server/config.ts";
import { passwordProblem } from "../../src/server/core/admins/password-policy.ts";
import { openDatabase } from "../../src/server/db/client.ts";
import { createLogger } from "../../src/server/logger.ts";
import { createDatabase, dropDatabase, randomDatabaseName } from "../support/postgres.ts";

const logger = createLogger({ level: "silent" });
const dirs: string[] = [];
const databases: string[] = [];
afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  for (const name of databases) await dropDatabase(name);
});

const mode = (path: string) => statSync(path).mode & 0o777;
const octal = (value: number) => value.toString(8).padStart(3, "0");
/** a data directory that does not exist yet, under a fresh parent */
function freshDataDir(): string {
  const parent = mkdtempSync(join(tmpdir(), "ls-modes-"));
  dirs.push(parent);
  return join(parent, "data");
}

describe("file modes of the data directory", () => {
  it("a fresh data directory is 0700, license.db and its -wal and -shm 0600, secrets 0600", async () => {
    const dataDir = freshDataDir();
    const config = loadConfig({ DATA_DIR: dataDir }, { generateSecrets: true });
    const { seed } = await prepareDatabase(config, logger);
    expect(seed.generatedPassword).toBeDefined();
    // the generated first password passes the strength rule
    expect(await passwordProblem(seed.generatedPassword ?? "", seed.adminEmail)).toBeNull();

    // the app's own connection, writing: SQLite creates -wal and -shm now
    const handle = await openDatabase(config.database);
    try {
      await handle.db.setting.upsert({
        where: { key: "file-modes" },
        create: { key: "file-modes", value: "1" },
        update: { value: "2" },
        select: { key: true },
      });
      const db = join(dataDir, "license.db");
      expect(existsSync(`${db}-wal`)).toBe(true);
      expect(existsSync(`${db}-shm`)).toBe(true);
      expect(octal(mode(dataDir))).toBe("700");
      for (const file of [db, `${db}-wal`, `${db}-shm`, join(dataDir, "secrets.json")]) {
        if (!existsSync(file)) continue;
        expect(octal(mode(file)), file).toBe("600");
      }
    } finally {
      await handle.close();
    }
  });

  it("tightens a looser data directory and SQLite files on the next start", async () => {
    const dataDir = freshDataDir();
    const config = loadConfig({ DATA_DIR: dataDir }, { generateSecrets: true });
    await prepareDatabase(config, logger);
    const db = join(dataDir, "license.db");
    const companions = [`${db}-wal`, `${db}-shm`];
    // as an earlier version left them (the companions too, when a connection left them behind)
    chmodSync(dataDir, 0o755);
    chmodSync(db, 0o644);
    for (const file of companions) if (existsSync(file)) chmodSync(file, 0o644);
    // and the server's other files, and a backup directory (found by attack: these stayed loose)
    const secrets = join(dataDir, "secrets.json");
    const head = join(dataDir, "audit-head.json");
    writeFileSync(head, "{}", { mode: 0o666 });
    chmodSync(head, 0o666);
    chmodSync(secrets, 0o666);
    const backups = join(dataDir, "backups");
    mkdirSync(backups, { mode: 0o777 });
    chmodSync(backups, 0o777);
    const backup = join(backups, "old.lsbak");
    writeFileSync(backup, "x");
    chmodSync(backup, 0o666);
    expect(octal(mode(db))).toBe("644");
    await prepareDatabase(config, logger);
    expect(octal(mode(dataDir))).toBe("700");
    expect(octal(mode(db))).toBe("600");
    for (const file of [secrets, head, backup]) expect(octal(mode(file)), file).toBe("600");
    expect(octal(mode(backups))).toBe("700");
    for (const file of companions) if (existsSync(file)) expect(octal(mode(file)), file).toBe("600");
    // and the companions SQLite makes from now on take the database file's 0600
    const handle = await openDatabase(config.database);
    try {
      await handle.db.setting.create({ data: { key: "loose", value: "1" }, select: { key: true } });
      for (const file of companions) expect(octal(mode(file)), file).toBe("600");
    } finally {
      await handle.close();
    }
  });

  it("PostgreSQL: the data directory is 0700 too", async () => {
    if (inject("postgresUnavailable")) return;
    const name = randomDatabaseName("ls_modes");
    databases.push(name);
    const url = await createDatabase(name);
    const dataDir = freshDataDir();
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: url }, { generateSecrets: true });
    await prepareDatabase(config, logger);
    expect(octal(mode(dataDir))).toBe("700");
    expect(existsSync(join(dataDir, "license.db"))).toBe(false);
  });
});

describe("LICENSE_SERVER_ADMIN_PASSWORD at the first start", () => {
  for (const provider of ["sqlite", "postgresql"] as const) {
    it(`a weak one stops the start with the reason, a strong one makes the admin (${provider})`, async () => {
      if (provider === "postgresql" && inject("postgresUnavailable")) return;
      const env: Record<string, string> = {
        DATA_DIR: freshDataDir(),
        LICENSE_SERVER_ADMIN_EMAIL: "ops@example.com",
      };
      if (provider === "postgresql") {
        const name = randomDatabaseName("ls_weak");
        databases.push(name);
        env.DATABASE_URL = await createDatabase(name);
      }
      for (const password of ["aaaaaaaaaaaa", "password1234", " ".repeat(12)]) {
        const config = loadConfig(
          { ...env, LICENSE_SERVER_ADMIN_PASSWORD: password },
          { generateSecrets: true },
        );
        const start = prepareDatabase(config, logger);
        await expect(start).rejects.toThrow(StartupError);
        await expect(start).rejects.toThrow(/LICENSE_SERVER_ADMIN_PASSWORD is too easy to guess/);
      }
      const config = loadConfig(
        { ...env, LICENSE_SERVER_ADMIN_PASSWORD: "quartz meadow signal 58" },
        { generateSecrets: true },
      );
      const { seed } = await prepareDatabase(config, logger);
      expect(seed).toEqual({ adminEmail: "ops@example.com" });
    });
  }
});
