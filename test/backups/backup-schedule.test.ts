// Scheduled backups (cron, retention) and the snapshot's consistency under concurrent writes.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createBackup } from "../../src/server/core/backups/create-backup.ts";
import { claimScheduledRun } from "../../src/server/core/backups/claim-scheduled-run.ts";
import { scheduleBackups } from "../../src/server/jobs/scheduled-backups.ts";
import { verifyBackup } from "../../src/server/core/backups/verify-backup.ts";
import { ConfigError, loadConfig } from "../../src/server/config.ts";
import { openDatabase } from "../../src/server/db/client.ts";
import { createLogger } from "../../src/server/logger.ts";
import { openTestDb, type TestDb } from "../support/db.ts";
import { makeCustomer, makeGroup, makeProduct } from "../support/fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "ls-backup-schedule-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A schedule backing up `db` every second into a new folder `out`. */
function everySecond(db: TestDb, out: string, retention: number) {
  mkdirSync(out);
  return scheduleBackups({
    pattern: "* * * * * *",
    dir: out,
    retention,
    database: db.target,
    key: randomBytes(32),
    encryptionKey: db.ctx().encryptionKey,
    logger: createLogger({ level: "silent" }),
  });
}

describe("scheduled backups", () => {
  it("runs on its cron schedule and keeps BACKUP_RETENTION files", async () => {
    const db = await openTestDb("sqlite");
    const out = join(dir, "scheduled");
    const schedule = everySecond(db, out, 2);
    try {
      expect(schedule.nextRun()).toBeInstanceOf(Date);
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && readdirSync(out, { withFileTypes: true }).length < 2)
        await new Promise((r) => setTimeout(r, 200));
      // names are per second: at least two runs, and never more than two files kept
      await new Promise((r) => setTimeout(r, 2500));
      const files = readdirSync(out).filter((f) => f.endsWith(".lsbackup"));
      expect(files.length).toBe(2);
    } finally {
      await schedule.stop();
      await db.close();
    }
  });

  it("is configured by BACKUP_SCHEDULE, BACKUP_RETENTION, BACKUP_DIR and BACKUP_KEY", () => {
    const base = { DATA_DIR: join(dir, "data"), JWT_SECRET: "x".repeat(32), ENCRYPTION_KEY: "ab".repeat(32) };
    const config = loadConfig({ ...base, BACKUP_SCHEDULE: "0 2 * * *", BACKUP_RETENTION: "14" });
    expect(config.backup).toMatchObject({
      schedule: "0 2 * * *",
      retention: 14,
      dir: join(dir, "data", "backups"),
    });
    expect(config.backup.key.equals(config.encryptionKey)).toBe(true);
    expect(loadConfig({ ...base, BACKUP_KEY: "cd".repeat(32) }).backup.key.toString("hex")).toBe(
      "cd".repeat(32),
    );
    expect(() => loadConfig({ ...base, BACKUP_SCHEDULE: "every day" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, BACKUP_SCHEDULE: "every day" })).toThrow(
      /BACKUP_SCHEDULE: not a cron expression/,
    );
    expect(() => loadConfig({ ...base, BACKUP_KEY: "short" })).toThrow(/BACKUP_KEY: must be 32 bytes/);
    expect(() => loadConfig({ ...base, METRICS_TOKEN: "short" })).toThrow(
      /METRICS_TOKEN: must be at least 16 characters$/m,
    );
  });
});

describe.each(["sqlite", "postgresql"] as const)("a backup while others write [%s]", (provider) => {
  it.skipIf(provider === "postgresql" && inject("postgresUnavailable"))(
    "is one snapshot: every table's rows match the counts taken at its start",
    async () => {
      const db = await openTestDb(provider);
      const writer = await openDatabase(db.target);
      try {
        const group = await makeGroup(db);
        await makeProduct(db);
        for (let i = 0; i < 300; i++) await makeCustomer(db, group.id);
        // a second connection keeps adding customers while the backup reads in small batches
        const state = { writing: true };
        let written = 0;
        const load = (async () => {
          while (state.writing) {
            await writer.db.customer.create({
              data: { name: `late ${written}`, groupId: group.id },
              select: { id: true },
            });
            written++;
            // better-sqlite3 answers synchronously: let the backup's file writes have their turn
            await new Promise((r) => setImmediate(r));
          }
        })();
        const key = randomBytes(32);
        const path = join(dir, `concurrent-${provider}.lsbackup`);
        const made = await createBackup(db.ctx(), { path, batchSize: 100 }, { key });
        state.writing = false;
        await load;
        expect(written).toBeGreaterThan(0);
        // verify checks every table's body against the header's counts, taken in the same snapshot
        const checked = await verifyBackup({ path }, key);
        expect(checked.rows).toBe(made.rows);
        expect(checked.tables.Customer).toBe(made.tables.Customer);
      } finally {
        await writer.close();
        await db.close();
      }
    },
  );
});

describe.each(["sqlite", "postgresql"] as const)(
  "scheduled backups on several instances [%s]",
  (provider) => {
    it.skipIf(provider === "postgresql" && inject("postgresUnavailable"))(
      "claim each run once: one instance takes it, whatever the race",
      async () => {
        const db = await openTestDb(provider);
        const other = await openDatabase(db.target);
        try {
          const slot = new Date("2026-11-29T02:00:00.000Z");
          const day = 24 * 3600_000;
          // ten claims of one run from two connections at once: exactly one wins
          const claims = await Promise.all(
            Array.from({ length: 10 }, (_, i) =>
              claimScheduledRun((i % 2 ? other : db.handle).db, slot, day),
            ),
          );
          expect(claims.filter(Boolean)).toHaveLength(1);
          // an instance whose clock runs 3 s late sees the same run, already taken
          expect(await claimScheduledRun(other.db, new Date(slot.getTime() + 3000), day)).toBe(false);
          // the next day's run is free, and taken once
          const next = new Date(slot.getTime() + day);
          expect(await claimScheduledRun(other.db, next, day)).toBe(true);
          expect(await claimScheduledRun(db.handle.db, next, day)).toBe(false);
          const row = await db.handle.db.setting.findUnique({
            where: { key: "backup.schedule.lastRun" },
            select: { value: true },
          });
          expect(JSON.parse(row?.value ?? "null")).toBe(next.toISOString());
        } finally {
          await other.close();
          await db.close();
        }
      },
    );

    it.skipIf(provider === "postgresql" && inject("postgresUnavailable"))(
      "two instances' schedules write one backup per run between them",
      async () => {
        const db = await openTestDb(provider);
        const dirs = [join(dir, `${provider}-a`), join(dir, `${provider}-b`)];
        const schedules = dirs.map((out) => everySecond(db, out, 100));
        try {
          await new Promise((r) => setTimeout(r, 3500));
        } finally {
          await Promise.all(schedules.map((s) => s.stop()));
        }
        try {
          const names = dirs.flatMap((out) => readdirSync(out).filter((f) => f.endsWith(".lsbackup")));
          // a file per second that ran, each second in one folder only
          expect(names.length).toBeGreaterThanOrEqual(2);
          expect(new Set(names).size).toBe(names.length);
        } finally {
          await db.close();
        }
      },
    );
  },
);
