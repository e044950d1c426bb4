import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { openDatabase } from "../../src/server/db/client.ts";
import { applyMigrations, readMigrations } from "../../src/server/db/migrate.ts";
import { modelSnapshotPath, modelsPath } from "../../src/server/db/paths.ts";
import { createDatabase, dropDatabase, randomDatabaseName } from "../support/postgres.ts";

describe("migrations", () => {
  it("exist for the current data model (run npm run db:migration:create after changing it)", () => {
    expect(readFileSync(modelSnapshotPath, "utf8")).toBe(readFileSync(modelsPath, "utf8"));
    const sqlite = readMigrations("sqlite").map((m) => m.name);
    expect(readMigrations("postgresql").map((m) => m.name)).toEqual(sqlite);
    expect(sqlite.length).toBeGreaterThan(0);
  });

  it("apply to an empty SQLite file once, with WAL and foreign keys on", async () => {
    const url = join(mkdtempSync(join(tmpdir(), "ls-mig-")), "fresh.db");
    const target = { provider: "sqlite" as const, url };
    expect(await applyMigrations(target)).toEqual(readMigrations("sqlite").map((m) => m.name));
    expect(await applyMigrations(target)).toEqual([]);
    const handle = await openDatabase(target);
    try {
      expect(await handle.db.$queryRawUnsafe("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
      expect(await handle.db.$queryRawUnsafe("PRAGMA foreign_keys")).toEqual([{ foreign_keys: 1n }]);
      await expect(
        handle.db.customer.create({ data: { name: "orphan", groupId: "missing" } }),
      ).rejects.toThrow();
      expect(await handle.db.customer.count()).toBe(0);
    } finally {
      await handle.close();
    }
  });

  it.skipIf(inject("postgresUnavailable") !== null)(
    "apply to an empty PostgreSQL database once",
    async () => {
      const name = randomDatabaseName("ls_mig");
      const url = await createDatabase(name);
      try {
        const target = { provider: "postgresql" as const, url };
        expect(await applyMigrations(target)).toEqual(readMigrations("postgresql").map((m) => m.name));
        expect(await applyMigrations(target)).toEqual([]);
        const handle = await openDatabase(target);
        try {
          const tables = await handle.db.$queryRawUnsafe<{ n: bigint }[]>(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
          );
          // 30 models + _prisma_migrations
          expect(Number(tables[0]?.n)).toBe(31);
        } finally {
          await handle.close();
        }
      } finally {
        await dropDatabase(name);
      }
    },
  );
});
