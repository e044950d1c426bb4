// Backup and restore of a large database, run by hand (not a test):
//
//   npx tsx bench/backup.ts [--licenses 100000] [--from sqlite|postgresql] [--to sqlite,postgresql]
//
// Seeds the source with batch inserts (customers, licenses with two entitlements each, sessions,
// usage, one audit record per license with a valid hash chain), then times a backup and a
// restore into each target, checks the row counts and the audit chain, and prints a table.
// PostgreSQL: TEST_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432/postgres (databases are
// created and dropped).
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { auditHash, GENESIS_HASH } from "../src/server/core/audit/write-audit-event.ts";
import { verifyWholeAuditChain } from "../src/server/core/audit/verify-audit-chain.ts";
import { createBackup } from "../src/server/core/backups/create-backup.ts";
import { restoreBackup } from "../src/server/core/backups/restore-backup.ts";
import { BACKUP_TABLES, delegate } from "../src/server/core/backups/tables.ts";
import { systemActor, systemClock, type DomainContext } from "../src/server/core/context.ts";
import { openDatabase, type DbHandle } from "../src/server/db/client.ts";
import { applyMigrations } from "../src/server/db/migrate.ts";
import type { DbProvider, DbTarget } from "../src/server/db/provider.ts";
import { createLogger } from "../src/server/logger.ts";

const { values } = parseArgs({
  options: {
    licenses: { type: "string", default: "100000" },
    from: { type: "string", default: "sqlite" },
    to: { type: "string", default: "sqlite,postgresql" },
  },
});
const LICENSES = Number(values.licenses);
const PG_ADMIN = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const work = mkdtempSync(join(tmpdir(), "ls-bench-backup-"));
const pgNames: string[] = [];
const encryptionKey = randomBytes(32);
const backupKey = randomBytes(32);
const logger = createLogger({ level: "warn" });

async function pgAdmin(sql: string) {
  const client = new pg.Client({ connectionString: PG_ADMIN });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function newDatabase(provider: DbProvider, label: string): Promise<DbTarget> {
  let target: DbTarget;
  if (provider === "sqlite") target = { provider, url: join(work, `${label}.db`) };
  else {
    const name = `ls_bench_${label}_${randomBytes(4).toString("hex")}`;
    await pgAdmin(`CREATE DATABASE "${name}"`);
    pgNames.push(name);
    const url = new URL(PG_ADMIN);
    url.pathname = `/${name}`;
    target = { provider, url: url.toString() };
  }
  await applyMigrations(target);
  return target;
}

const ctxFor = (handle: DbHandle): DomainContext => ({
  db: handle.db,
  provider: handle.provider,
  clock: systemClock,
  logger,
  actor: systemActor,
  ip: null,
  encryptionKey,
});

async function inBatches<T>(rows: T[], size: number, insert: (batch: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

async function seed(handle: DbHandle): Promise<void> {
  const db = handle.db;
  const now = new Date("2026-11-29T00:00:00.000Z");
  const group = await db.group.create({ data: { name: "Default" }, select: { id: true } });
  const product = await db.product.create({
    data: { code: "acme-cad", name: "Acme CAD" },
    select: { id: true },
  });
  const features = await Promise.all(
    ["export-pdf", "api-calls"].map((code, i) =>
      db.feature.create({
        data: {
          productId: product.id,
          code,
          name: code,
          kind: i === 1 ? "metered" : "boolean",
          unit: i === 1 ? "calls" : null,
        },
        select: { id: true },
      }),
    ),
  );
  const customers = Array.from({ length: Math.max(1, Math.ceil(LICENSES / 10)) }, (_, i) => ({
    id: randomUUID(),
    name: `Customer ${i}`,
    email: `c${i}@example.com`,
    groupId: group.id,
    createdAt: now,
    updatedAt: now,
  }));
  await inBatches(customers, 1000, (data) => db.customer.createMany({ data }));
  const statuses = ["active", "active", "active", "suspended", "revoked", "expired"];
  const licenses = Array.from({ length: LICENSES }, (_, i) => ({
    id: randomUUID(),
    key: randomBytes(15).toString("base64url").toUpperCase(),
    customerId: customers[i % customers.length]?.id ?? "",
    productId: product.id,
    status: statuses[i % statuses.length] ?? "active",
    seatLimit: 1 + (i % 10),
    startsAt: now,
    expiresAt: i % 4 === 0 ? null : new Date(now.getTime() + (i % 730) * 86_400_000),
    metadata: JSON.stringify({ order: `SO-${i}` }),
    createdAt: now,
    updatedAt: now,
  }));
  await inBatches(licenses, 1000, (data) => db.license.createMany({ data }));
  const entitlements = licenses.flatMap((l) =>
    features.map((f, j) => ({
      licenseId: l.id,
      featureId: f.id,
      quota: j === 1 ? 10_000 : null,
      createdAt: now,
      updatedAt: now,
    })),
  );
  await inBatches(entitlements, 1000, (data) => db.entitlement.createMany({ data }));
  const sessions = licenses.slice(0, Math.ceil(LICENSES / 10)).map((l, i) => ({
    licenseId: l.id,
    fingerprint: `host-${i}`,
    startedAt: now,
    lastHeartbeatAt: now,
    deadlineAt: new Date(now.getTime() + 300_000),
  }));
  await inBatches(sessions, 1000, (data) => db.session.createMany({ data }));
  const usage = licenses.slice(0, Math.ceil(LICENSES / 10)).map((l, i) => ({
    licenseId: l.id,
    featureId: features[1]?.id ?? "",
    amount: 1 + (i % 7),
    idempotencyKey: `job-${i}`,
    usedAfter: BigInt(i),
    recordedAt: now,
  }));
  await inBatches(usage, 1000, (data) => db.usageRecord.createMany({ data }));
  // one audit record per license, chained as the server writes them
  let prevHash = GENESIS_HASH;
  const audit = licenses.map((l, i) => {
    const fields = {
      seq: i + 1,
      at: new Date(now.getTime() + i),
      actorType: "system",
      actorId: null,
      actorLabel: "bench",
      action: "license.create",
      targetType: "license",
      targetId: l.id,
      ip: null,
      summary: JSON.stringify({ seatLimit: l.seatLimit }),
      prevHash,
    };
    // unkeyed (version 1) records, as before issue 13: the bench needs no ENCRYPTION_KEY for them
    prevHash = auditHash(fields, 1, Buffer.alloc(0)) ?? "";
    return { id: randomUUID(), ...fields, hash: prevHash };
  });
  await inBatches(audit, 1000, (data) => db.auditEvent.createMany({ data }));
}

async function counts(handle: DbHandle): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of BACKUP_TABLES) out[t.model] = await delegate(handle.db, t.model).count();
  return out;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main() {
  const from = values.from as DbProvider;
  const targets = values.to.split(",").filter(Boolean) as DbProvider[];
  console.log(`seeding ${LICENSES} licenses into ${from} ...`);
  const sourceTarget = await newDatabase(from, "source");
  const source = await openDatabase(sourceTarget);
  let t = performance.now();
  await seed(source);
  const sourceCounts = await counts(source);
  const rows = Object.values(sourceCounts).reduce((a, b) => a + b, 0);
  console.log(`seeded ${rows} rows in ${seconds(performance.now() - t)}: ${JSON.stringify(sourceCounts)}`);

  const file = join(work, "bench.lsbackup");
  t = performance.now();
  const made = await createBackup(ctxFor(source), { path: file }, { key: backupKey });
  const backupMs = performance.now() - t;
  const results = [
    {
      step: `backup (${from})`,
      time: seconds(backupMs),
      rowsPerSecond: Math.round(rows / (backupMs / 1000)),
      size: `${(made.bytes / 1024 / 1024).toFixed(1)} MiB`,
    },
  ];
  await source.close();

  for (const to of targets) {
    const target = await newDatabase(to, `restore_${to}`);
    const handle = await openDatabase(target);
    try {
      t = performance.now();
      await restoreBackup(ctxFor(handle), { path: file }, { key: backupKey });
      const restoreMs = performance.now() - t;
      const restored = await counts(handle);
      if (JSON.stringify(restored) !== JSON.stringify(sourceCounts))
        throw new Error(`counts differ on ${to}: ${JSON.stringify(restored)}`);
      t = performance.now();
      const chain = await verifyWholeAuditChain(ctxFor(handle));
      if (!chain.ok) throw new Error(`audit chain broken after restore into ${to}`);
      results.push({
        step: `restore → ${to} (verify pass + write)`,
        time: seconds(restoreMs),
        rowsPerSecond: Math.round(rows / (restoreMs / 1000)),
        size: `audit chain ok (${chain.checked} records, ${seconds(performance.now() - t)})`,
      });
    } finally {
      await handle.close();
    }
  }
  console.table(results);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const name of pgNames)
      await pgAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
    rmSync(work, { recursive: true, force: true });
    setImmediate(() => process.exit());
  });
