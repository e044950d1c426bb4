// A fresh database per test file, on each provider, and a domain context to act in it.
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, inject } from "vitest";
import { openDatabase, type DbHandle } from "../../src/server/db/client.ts";
import type { DbProvider, DbTarget } from "../../src/server/db/provider.ts";
import type { Actor, DomainContext, Role } from "../../src/server/core/context.ts";
import { createLogger } from "../../src/server/logger.ts";
import { createDatabase, dropDatabase, randomDatabaseName } from "./postgres.ts";

export const PROVIDERS: readonly DbProvider[] = ["sqlite", "postgresql"];

/** A clock the test moves by hand. */
export class TestClock {
  constructor(private current = new Date("2026-06-01T12:00:00.000Z")) {}
  now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date): void {
    this.current = new Date(date);
  }
}

export interface TestDb {
  handle: DbHandle;
  provider: DbProvider;
  /** where the database is, to open more connections to it (a second server instance) */
  target: DbTarget;
  clock: TestClock;
  /** a context acting as `actor` (default: the system, with every right) */
  ctx(actor?: Actor): DomainContext;
  close(): Promise<void>;
}

export async function openTestDb(provider: DbProvider): Promise<TestDb> {
  let url: string;
  let cleanup: () => Promise<void>;
  if (provider === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "ls-db-"));
    url = join(dir, "test.db");
    copyFileSync(inject("sqliteTemplate"), url);
    cleanup = () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    };
  } else {
    const template = inject("postgresTemplate");
    if (!template) throw new Error("PostgreSQL template missing");
    const name = randomDatabaseName("ls_test");
    url = await createDatabase(name, template);
    cleanup = () => dropDatabase(name);
  }
  let handle: DbHandle;
  try {
    handle = await openDatabase({ provider, url });
  } catch (error) {
    // the database was made: drop it rather than leave it behind
    await cleanup().catch(() => undefined);
    throw error;
  }
  const clock = new TestClock();
  const encryptionKey = randomBytes(32);
  const logger = createLogger({ level: "silent" });
  const system: Actor = { type: "system", id: null, label: "system", role: "super_admin", groupIds: [] };
  return {
    handle,
    provider,
    target: { provider, url },
    clock,
    ctx: (actor = system) => ({
      db: handle.db,
      provider,
      clock,
      logger,
      actor,
      ip: "127.0.0.1",
      encryptionKey,
    }),
    close: async () => {
      try {
        await handle.close();
      } finally {
        await cleanup();
      }
    },
  };
}

/**
 * Declares the suite once per provider. Without a reachable PostgreSQL its suite is skipped with
 * a visible message (global setup fails the run instead when CI=true).
 */
export function describeEachDb(title: string, body: (db: () => TestDb) => void): void {
  declareEachDb(title, body, false);
}

/** describeEachDb, skipped on every provider when `condition` holds (e.g. missingTools(...)). */
describeEachDb.skipIf =
  (condition: unknown) =>
  (title: string, body: (db: () => TestDb) => void): void => {
    declareEachDb(title, body, condition);
  };

function declareEachDb(title: string, body: (db: () => TestDb) => void, skip: unknown): void {
  for (const provider of PROVIDERS) {
    const unavailable = provider === "postgresql" ? inject("postgresUnavailable") : null;
    const suite = unavailable || skip ? describe.skip : describe;
    suite(`${title} [${provider}]`, () => {
      let opening: Promise<TestDb> | undefined;
      let db: TestDb | undefined;
      beforeAll(async () => {
        opening = openTestDb(provider);
        db = await opening;
      });
      afterAll(async () => {
        // a beforeAll that timed out leaves the database on its way: close it once it is there
        const opened = db ?? (await opening?.catch(() => undefined));
        await opened?.close();
      });
      body(() => {
        if (!db) throw new Error("test database not open");
        return db;
      });
    });
  }
}

export function actor(role: Role, groupIds: string[], id = `admin-${role}`): Actor {
  return { type: "admin", id, label: `${role}@example.com`, role, groupIds };
}
