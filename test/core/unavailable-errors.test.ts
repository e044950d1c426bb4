// Waits that run out are UNAVAILABLE (retry shortly), never INTERNAL: real errors from real
// databases — Prisma's P2028 (a transaction that could not start in time, or ran past its
// timeout), pg-pool's connection timeout, PostgreSQL's lock and statement timeouts, SQLite's
// SQLITE_BUSY — each through toDomainError, and through mutate() as the domain sees them. The
// metric counts each by reason.
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DomainError, toDomainError, unavailableReason } from "../../src/server/core/errors.ts";
import { mutate } from "../../src/server/core/shared/mutate.ts";
import { openDatabase, type DbHandle } from "../../src/server/db/client.ts";
import { serverMetrics } from "../../src/server/metrics.ts";
import { describeEachDb, openTestDb, type TestDb } from "../support/db.ts";

async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected the work to fail");
}

async function unavailableCount(reason: string): Promise<number> {
  const metric = await serverMetrics().unavailable.get();
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

/** Holds a transaction open on `handle` (its one pooled connection) until released. */
async function holdTransaction(handle: DbHandle) {
  let release!: () => void;
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const done = handle.db.$transaction(
    async () => {
      started();
      await new Promise<void>((resolve) => (release = resolve));
    },
    { timeout: 30_000 },
  );
  await running;
  return async () => {
    release();
    await done;
  };
}

describeEachDb("database waits that run out", (getDb) => {
  let db: TestDb;

  it("a transaction that cannot start within maxWait (P2028) is UNAVAILABLE pool_exhausted", async () => {
    db = getDb();
    const handle = await openDatabase(db.target, { poolSize: 1 });
    try {
      const release = await holdTransaction(handle);
      const error = await failure(() =>
        handle.db.$transaction(async (tx) => tx.setting.count(), { maxWait: 200 }),
      );
      await release();
      expect((error as { code?: string }).code).toBe("P2028");
      const before = await unavailableCount("pool_exhausted");
      const domain = toDomainError(error);
      expect(domain).toMatchObject({ code: "UNAVAILABLE", reason: "pool_exhausted", retryAfterSeconds: 1 });
      expect(domain.message).toMatch(/busy/);
      expect(await unavailableCount("pool_exhausted")).toBe(before + 1);
      // classified once: the DomainError passes through again unchanged and uncounted
      expect(toDomainError(domain)).toBe(domain);
      expect(await unavailableCount("pool_exhausted")).toBe(before + 1);
    } finally {
      await handle.close();
    }
  });

  it("a transaction that runs past its timeout (P2028) is UNAVAILABLE lock_wait", async () => {
    const error = await failure(() =>
      db.handle.db.$transaction(
        async (tx) => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          await tx.setting.count();
        },
        { timeout: 100 },
      ),
    );
    expect((error as { code?: string }).code).toBe("P2028");
    expect(toDomainError(error)).toMatchObject({ code: "UNAVAILABLE", reason: "lock_wait" });
  });

  it("anything else stays INTERNAL (a plain bug is not 'busy')", () => {
    expect(toDomainError(new TypeError("x is undefined")).code).toBe("INTERNAL");
    expect(toDomainError({ code: "P2028", message: "Transaction already closed: committed" }).code).toBe(
      "INTERNAL",
    );
    expect(unavailableReason(null)).toBeNull();
  });
});

/** A suite on one provider's fresh database (skipped, visibly, when PostgreSQL is not there). */
function describeOn(provider: "sqlite" | "postgresql", title: string, body: (db: () => TestDb) => void) {
  const skip = provider === "postgresql" && inject("postgresUnavailable");
  (skip ? describe.skip : describe)(`${title} [${provider}]`, () => {
    let db: TestDb | undefined;
    beforeAll(async () => {
      db = await openTestDb(provider);
    });
    afterAll(async () => {
      await db?.close();
    });
    body(() => {
      if (!db) throw new Error("test database not open");
      return db;
    });
  });
}

describeOn("postgresql", "PostgreSQL pools and locks", (getDb) => {
  it("an exhausted pool: a mutation gets UNAVAILABLE pool_exhausted after connectTimeoutMs", async () => {
    const db = getDb();
    const handle = await openDatabase(db.target, { poolSize: 1, connectTimeoutMs: 300 });
    try {
      const release = await holdTransaction(handle);
      const started = performance.now();
      const error = await failure(() =>
        mutate({ ...db.ctx(), db: handle.db }, ({ tx }) => tx.setting.count()),
      );
      const waited = performance.now() - started;
      await release();
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: "UNAVAILABLE", reason: "pool_exhausted" });
      expect(waited).toBeLessThan(5000);
    } finally {
      await handle.close();
    }
  });

  it("the fast reads' pool: a read that cannot get a connection within connectTimeoutMs is UNAVAILABLE", async () => {
    const db = getDb();
    const handle = await openDatabase(db.target, { poolSize: 1, connectTimeoutMs: 300 });
    const locker = new pg.Client({ connectionString: db.target.url });
    await locker.connect();
    try {
      // a read blocked by a table lock holds the pool's only connection; the next one waits for it
      await locker.query("BEGIN");
      await locker.query(`LOCK TABLE "License" IN ACCESS EXCLUSIVE MODE`);
      const blocked = handle.reads.licenseByKey("LS-NOPE");
      await new Promise((resolve) => setTimeout(resolve, 100));
      const error = await failure(() => handle.reads.licenseByKey("LS-NOPE-2"));
      expect((error as Error).message).toBe("timeout exceeded when trying to connect");
      expect(toDomainError(error)).toMatchObject({ code: "UNAVAILABLE", reason: "pool_exhausted" });
      await locker.query("ROLLBACK");
      expect(await blocked).toBeNull();
    } finally {
      await locker.end();
      await handle.close();
    }
  });

  it("lock_timeout and statement_timeout (55P03, 57014) are UNAVAILABLE lock_wait", async () => {
    const db = getDb();
    const other = new pg.Client({ connectionString: db.target.url });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query(`LOCK TABLE "Setting" IN ACCESS EXCLUSIVE MODE`);
      const locked = await failure(() =>
        mutate(db.ctx(), async ({ tx }) => {
          await tx.$executeRawUnsafe("SET LOCAL lock_timeout = '100ms'");
          return tx.setting.count();
        }),
      );
      expect(locked).toMatchObject({ code: "UNAVAILABLE", reason: "lock_wait" });
      await other.query("ROLLBACK");
      const slow = await failure(() =>
        mutate(db.ctx(), async ({ tx }) => {
          await tx.$executeRawUnsafe("SET LOCAL statement_timeout = '100ms'");
          return tx.$queryRawUnsafe("SELECT pg_sleep(1)");
        }),
      );
      expect(slow).toMatchObject({ code: "UNAVAILABLE", reason: "lock_wait" });
    } finally {
      await other.end();
    }
  });
});

describeOn("sqlite", "SQLite's writer lock", (getDb) => {
  it("SQLITE_BUSY (another process holds the write lock) is UNAVAILABLE busy, through mutate", async () => {
    const db = getDb();
    const handle = await openDatabase(db.target, { busyTimeoutMs: 100 });
    const writer = new Database(db.target.url);
    try {
      writer.exec("BEGIN IMMEDIATE");
      const before = await unavailableCount("busy");
      const error = await failure(() =>
        mutate({ ...db.ctx(), db: handle.db }, ({ tx }) => tx.setting.count()),
      );
      expect(error).toMatchObject({ code: "UNAVAILABLE", reason: "busy", retryAfterSeconds: 1 });
      expect(await unavailableCount("busy")).toBe(before + 1);
      // better-sqlite3's own error (the fast reads use it directly) is recognised too
      const direct = new Database(db.target.url, { timeout: 50 });
      const raw = await failure(() => Promise.resolve().then(() => direct.exec("BEGIN IMMEDIATE")));
      direct.close();
      expect((raw as { code?: string }).code).toBe("SQLITE_BUSY");
      expect(toDomainError(raw)).toMatchObject({ code: "UNAVAILABLE", reason: "busy" });
    } finally {
      writer.exec("ROLLBACK");
      writer.close();
      await handle.close();
    }
  });
});
