// Seeds a benchmark database fast: 100k licenses (with entitlements) and 10k open sessions in
// batched inserts (createMany), after migrations and the signing key.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { sqliteTime } from "../../src/server/db/fast-reads.ts";
import { generateLicenseKey } from "../../src/server/core/licenses/license-key.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { openDatabase, type DbHandle } from "../../src/server/db/client.ts";
import { applyMigrations } from "../../src/server/db/migrate.ts";
import type { DbProvider, DbTarget } from "../../src/server/db/provider.ts";

export const PG_URL = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface Seeded {
  target: DbTarget;
  encryptionKey: Buffer;
  productCode: string;
  /** a sample of license keys (all floating, active, with the same two features) */
  keys: string[];
  /** open sessions to heartbeat: key, session id, fingerprint */
  sessions: { key: string; sessionId: string; fingerprint: string }[];
  seedMs: number;
  drop(): Promise<void>;
}

async function pgAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function makeTarget(
  provider: DbProvider,
): Promise<{ target: DbTarget; drop: () => Promise<void> }> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "ls-bench-"));
    return {
      target: { provider, url: join(dir, "bench.db") },
      drop: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const name = `ls_bench_${randomBytes(4).toString("hex")}`;
  await pgAdmin(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    target: { provider, url: url.toString() },
    drop: () => pgAdmin(`DROP DATABASE "${name}" WITH (FORCE)`),
  };
}

/**
 * Inserts rows with the driver directly, in one transaction (Prisma's createMany costs ~1 ms per
 * row here). `updatedAt` (and `createdAt` when not given) are set to `now`.
 */
async function bulkInsert(
  target: DbTarget,
  table: string,
  columns: string[],
  rows: unknown[][],
  now: Date,
): Promise<void> {
  const all = [...columns, ...(["License", "Entitlement"].includes(table) ? ["updatedAt"] : [])];
  if (table === "Entitlement") all.push("createdAt");
  const extra = all.length - columns.length;
  const quoted = all.map((c) => `"${c}"`).join(", ");
  if (target.provider === "sqlite") {
    const db = new Database(target.url);
    const insert = db.prepare(`INSERT INTO "${table}" (${quoted}) VALUES (${all.map(() => "?").join(", ")})`);
    const value = (v: unknown) => (v instanceof Date ? sqliteTime(v) : v);
    db.transaction(() => {
      for (const row of rows)
        insert.run(...row.map(value), ...Array.from({ length: extra }, () => sqliteTime(now)));
    })();
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query("BEGIN");
    const per = Math.floor(30_000 / all.length);
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      const params: unknown[] = [];
      const tuples = chunk.map((row) => {
        const values = [...row, ...Array.from({ length: extra }, () => now)].map((v) =>
          v instanceof Date ? v.toISOString() : v,
        );
        const start = params.length;
        params.push(...values);
        return `(${values.map((_, k) => `$${start + k + 1}`).join(", ")})`;
      });
      await client.query(`INSERT INTO "${table}" (${quoted}) VALUES ${tuples.join(", ")}`, params);
    }
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
}

export async function seed(
  provider: DbProvider,
  counts: { licenses: number; sessions: number } = { licenses: 100_000, sessions: 10_000 },
): Promise<Seeded> {
  const started = performance.now();
  const { target, drop } = await makeTarget(provider);
  await applyMigrations(target);
  const handle: DbHandle = await openDatabase(target);
  const encryptionKey = randomBytes(32);
  const db = handle.db;
  try {
    await ensureSigningKey(handle, encryptionKey);
    const now = new Date();
    const group = await db.group.create({ data: { name: "bench" }, select: { id: true } });
    const product = await db.product.create({
      data: { code: "bench-app", name: "Bench" },
      select: { id: true },
    });
    const [pdf, calls] = await Promise.all([
      db.feature.create({
        data: { productId: product.id, code: "export-pdf", name: "Export", kind: "boolean" },
        select: { id: true },
      }),
      db.feature.create({
        data: { productId: product.id, code: "api-calls", name: "Calls", kind: "metered", unit: "calls" },
        select: { id: true },
      }),
    ]);
    const customers = Array.from({ length: 1000 }, (_, i) => ({
      id: randomUUID(),
      name: `Customer ${i}`,
      groupId: group.id,
    }));
    await db.customer.createMany({ data: customers });
    const keys: string[] = [];
    const licenseIds: string[] = [];
    const licenseRows: unknown[][] = [];
    const entitlementRows: unknown[][] = [];
    for (let n = 0; n < counts.licenses; n++) {
      const key = generateLicenseKey();
      const id = randomUUID();
      keys.push(key);
      licenseIds.push(id);
      const expiresAt = n % 3 === 0 ? null : new Date(now.getTime() + ((n % 700) + 1) * 86_400_000);
      licenseRows.push([
        id,
        key,
        customers[n % customers.length]?.id ?? "",
        product.id,
        n % 50 === 49 ? "suspended" : "active",
        5,
        new Date(now.getTime() - 86_400_000),
        expiresAt,
        300,
        // in use already (the steady state): a license's first validation writes activatedAt once
        new Date(now.getTime() - 86_400_000),
        // created over the last year, so sorts by date have something to sort
        new Date(now.getTime() - (n % 365) * 86_400_000 - n),
      ]);
      entitlementRows.push(
        [randomUUID(), id, pdf.id, null, "total"],
        [randomUUID(), id, calls.id, 100_000, "month"],
      );
    }
    await bulkInsert(
      target,
      "License",
      [
        "id",
        "key",
        "customerId",
        "productId",
        "status",
        "seatLimit",
        "startsAt",
        "expiresAt",
        "heartbeatIntervalSeconds",
        "activatedAt",
        "createdAt",
      ],
      licenseRows,
      now,
    );
    await bulkInsert(
      target,
      "Entitlement",
      ["id", "licenseId", "featureId", "quota", "quotaPeriod"],
      entitlementRows,
      now,
    );
    const sessions: Seeded["sessions"] = [];
    const sessionRows: unknown[][] = [];
    for (let s = 0; s < counts.sessions; s++) {
      // active licenses only (every 50th is suspended)
      const index = (s * 7) % counts.licenses;
      const n = index % 50 === 49 ? index - 1 : index;
      const fingerprint = `machine-${s}`;
      const id = randomUUID();
      sessions.push({ key: keys[n] ?? "", sessionId: id, fingerprint });
      sessionRows.push([id, licenseIds[n] ?? "", fingerprint, now, now, new Date(now.getTime() + 300_000)]);
    }
    await bulkInsert(
      target,
      "Session",
      ["id", "licenseId", "fingerprint", "startedAt", "lastHeartbeatAt", "deadlineAt"],
      sessionRows,
      now,
    );
    // planner statistics, as a database in service has them (autovacuum has not run yet)
    await db.$executeRawUnsafe("ANALYZE");
    const activeKeys = keys.filter((_, n) => n % 50 !== 49);
    return {
      target,
      encryptionKey,
      productCode: "bench-app",
      keys: activeKeys,
      sessions,
      seedMs: performance.now() - started,
      drop,
    };
  } finally {
    await handle.close();
  }
}
