// Backups: SQLite → SQLite, SQLite → PostgreSQL, PostgreSQL → SQLite (and PostgreSQL →
// PostgreSQL) with every table identical afterwards and the audit chain intact; a wrong key, a
// changed byte, a truncated file or a non-empty target write nothing.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createBackup } from "../../src/server/core/backups/create-backup.ts";
import { restoreBackup } from "../../src/server/core/backups/restore-backup.ts";
import { BACKUP_TABLES, delegate, modelNames, scalarColumns } from "../../src/server/core/backups/tables.ts";
import { describeBackup, verifyBackup } from "../../src/server/core/backups/verify-backup.ts";
import { pruneBackups, backupFileName } from "../../src/server/core/backups/backup-retention.ts";
import { verifyAuditChain } from "../../src/server/core/audit/verify-audit-chain.ts";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import { suspendLicense } from "../../src/server/core/licenses/suspend-license.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { rotateSigningKey } from "../../src/server/core/signing-keys/rotate-signing-key.ts";
import type { DomainContext } from "../../src/server/core/context.ts";
import type { DomainErrorCode } from "../../src/server/core/errors.ts";
import type { DbProvider } from "../../src/server/db/provider.ts";
import { openTestDb, type TestDb } from "../support/db.ts";
import { expectDomainError as expectCode } from "../support/expect-domain-error.ts";
import { makeCustomer, makeLicense, makeWorld } from "../support/fixtures.ts";

const pgMissing = inject("postgresUnavailable");

async function expectDomainError(
  promise: Promise<unknown>,
  code: DomainErrorCode,
  message?: RegExp,
  what?: string,
) {
  const error = await expectCode(promise, code);
  if (message) expect(error.message, what).toMatch(message);
}

/** Every table gets rows, with the awkward values: nulls, unicode, big BigInts, milliseconds. */
async function fillDatabase(db: TestDb): Promise<void> {
  const ctx = db.ctx();
  const world = await makeWorld(db);
  const other = await makeCustomer(db, world.groupB.id);
  const second = await makeLicense(db, other.id, world.product.id, { seatLimit: 1 });
  await suspendLicense(ctx, { id: second.id, reason: "unpaid — ünïcødé ✓" });
  const admin = await createAdmin(ctx, {
    email: "ops@example.com",
    name: "Øps",
    role: "admin",
    password: "a-long-password-1",
    groupIds: [world.groupA.id],
  });
  await createApiKey(
    db.ctx({ type: "admin", id: admin.id, label: admin.email, role: "admin", groupIds: [world.groupA.id] }),
    {
      name: "ci",
      role: "editor",
      groupIds: [world.groupA.id],
    },
  );
  await ensureSigningKey(db.handle, ctx.encryptionKey, db.clock.now());
  await rotateSigningKey(ctx);
  const d = db.handle.db;
  const at = new Date("2026-06-01T12:34:56.789Z");
  const sessionId = `0190a0b0-0000-7000-8000-${randomBytes(6).toString("hex")}`;
  await d.session.createMany({
    data: [
      {
        id: sessionId,
        licenseId: world.license.id,
        fingerprint: "host-1",
        hostname: "büro-pc",
        clientVersion: "2.4.0",
        ip: null,
        metadata: JSON.stringify({ os: "linux" }),
        startedAt: at,
        lastHeartbeatAt: at,
        deadlineAt: new Date(at.getTime() + 300_000),
      },
      {
        licenseId: world.license.id,
        fingerprint: "host-2",
        startedAt: at,
        lastHeartbeatAt: at,
        deadlineAt: at,
        endedAt: new Date(at.getTime() + 1),
        endReason: "deactivated",
      },
    ],
  });
  await d.machineBinding.createMany({
    data: [
      {
        licenseId: world.license.id,
        fingerprint: "host-1",
        components: JSON.stringify({ board: "b1", disk: "d1" }),
        boundAt: at,
        lastSeenAt: at,
      },
    ],
  });
  const policy = await d.policy.create({
    data: {
      productId: world.product.id,
      name: "Pro — yearly",
      type: "floating",
      seatLimit: 5,
      durationDays: 365,
      durationFrom: "first_activation",
      heartbeatIntervalSeconds: 300,
      gracePeriodHours: 1,
      offlineAllowanceDays: 30,
      checkInIntervalDays: 14,
      expiryStrategy: "maintain_versions",
      overage: "x1_25",
      machineMatching: "most",
    },
    select: { id: true },
  });
  await d.policyEntitlement.createMany({
    data: [{ policyId: policy.id, featureId: world.features.apiCalls.id, quota: 500, quotaPeriod: "month" }],
  });
  await d.license.update({
    where: { id: second.id },
    data: { policyId: policy.id, overrides: JSON.stringify(["seatLimit"]), lastCheckInAt: at },
  });
  await d.release.createMany({
    data: [
      { productId: world.product.id, version: "2.4.0", releasedAt: at, notes: "Ünïcødé notes" },
      { productId: world.product.id, version: "3.0.0-beta.1", releasedAt: new Date(at.getTime() + 1) },
    ],
  });
  const trialPolicy = await d.policy.create({
    data: {
      productId: world.product.id,
      name: "Trial",
      kind: "trial",
      type: "node_locked",
      seatLimit: 1,
      durationDays: 14,
      heartbeatIntervalSeconds: 300,
      gracePeriodHours: 24,
      offlineAllowanceDays: 0,
      trialCustomerId: other.id,
    },
    select: { id: true },
  });
  const trialLicense = await makeLicense(db, other.id, world.product.id, { type: "node_locked" });
  await d.license.update({ where: { id: trialLicense.id }, data: { trial: true, policyId: trialPolicy.id } });
  await d.trial.createMany({
    data: [
      {
        productId: world.product.id,
        policyId: trialPolicy.id,
        licenseId: trialLicense.id,
        fingerprint: "trial-host",
        components: JSON.stringify({ mac: "m1" }),
        hostname: "laptop",
        ip: "192.0.2.7",
        startedAt: at,
        expiresAt: new Date(at.getTime() + 14 * 86_400_000),
      },
    ],
  });
  await d.usageRecord.createMany({
    data: [
      {
        licenseId: world.license.id,
        featureId: world.features.apiCalls.id,
        sessionId,
        amount: 3,
        idempotencyKey: "job-1",
        usedAfter: 9_007_199_254_740_993n,
        recordedAt: at,
      },
      {
        licenseId: world.license.id,
        featureId: world.features.apiCalls.id,
        amount: 1,
        idempotencyKey: "job-2",
        usedAfter: 4n,
        recordedAt: new Date(at.getTime() + 5),
      },
    ],
  });
  await d.offlineIssuance.createMany({
    data: [
      {
        licenseId: world.license.id,
        kid: "abcdef0123456789",
        fingerprint: null,
        encrypted: false,
        issuedAt: at,
        expiresAt: new Date("2027-01-01T00:00:00.000Z"),
        issuedBy: "ops@example.com",
        sha256: "0".repeat(64),
      },
    ],
  });
  await d.setting.createMany({
    data: [
      { key: "requireTwoFactor", value: "false", updatedAt: at },
      // incompressible, so the file spans several encrypted chunks
      { key: "blob", value: JSON.stringify(randomBytes(150_000).toString("base64")), updatedAt: at },
    ],
  });
  await d.activityBucket.createMany({
    data: [{ at: new Date("2026-06-01T12:00:00.000Z"), validations: 7, refused: 2, activeSessions: 1 }],
  });
  await d.licenseActivityBucket.createMany({
    data: [
      { licenseId: world.license.id, at: new Date("2026-06-01T12:00:00.000Z"), validations: 5, refused: 1 },
    ],
  });
  // the event outbox: an event with a pending delivery (and a succeeded one with its attempt log)
  await d.event.createMany({
    data: [
      {
        id: "evt_backup0000000000000000000000001",
        seq: 1_000_001,
        type: "license.updated",
        version: 1,
        at,
        licenseId: world.license.id,
        groupId: world.license.customer.groupId,
        data: JSON.stringify({
          license: { id: world.license.id },
          changes: { seatLimit: { from: 1, to: 3 } },
        }),
      },
    ],
  });
  const endpoint = await d.webhookEndpoint.create({
    data: {
      url: "https://hooks.example.com/licenses",
      description: "CRM — ✓",
      events: JSON.stringify(["*"]),
      groupIds: JSON.stringify([world.license.customer.groupId]),
      secretEnc: "sealed-secret",
      previousSecretEnc: "sealed-old-secret",
      previousSecretUntil: new Date(at.getTime() + 86_400_000),
      createdById: admin.id,
    },
    select: { id: true },
  });
  const pending = await d.webhookDelivery.create({
    data: {
      endpointId: endpoint.id,
      eventId: "evt_backup0000000000000000000000001",
      nextAttemptAt: at,
      createdAt: at,
      attempts: 1,
    },
    select: { id: true },
  });
  await d.webhookAttempt.create({
    data: {
      deliveryId: pending.id,
      attempt: 1,
      at,
      statusCode: 503,
      latencyMs: 12,
      responseExcerpt: "busy",
      error: null,
    },
  });
  await d.licenseExpiryNotice.create({
    data: {
      licenseId: world.license.id,
      threshold: 30,
      expiresAt: new Date("2027-01-01T00:00:00.000Z"),
      sentAt: at,
    },
  });
  await d.webSession.createMany({
    data: [
      {
        id: randomBytes(32).toString("base64url"),
        adminId: admin.id,
        createdAt: at,
        expiresAt: new Date(at.getTime() + 8 * 3600_000),
        lastSeenAt: at,
        ip: "192.0.2.7",
        userAgent: "Mozilla/5.0 (X11; Linux) — ✓",
      },
      {
        id: randomBytes(32).toString("base64url"),
        adminId: admin.id,
        createdAt: at,
        expiresAt: new Date(at.getTime() + 8 * 3600_000),
        lastSeenAt: at,
        revokedAt: new Date(at.getTime() + 60_000),
        revokedReason: "sign_out",
      },
    ],
  });
  // a scope row of its own (a group id no other row names), whatever the audit writes tag
  const lastEvent = await d.auditEvent.findFirstOrThrow({ orderBy: { seq: "desc" }, select: { id: true } });
  await d.auditEventGroup.createMany({
    data: [{ eventId: lastEvent.id, groupId: `0190a0b0-0000-7000-8000-${randomBytes(6).toString("hex")}` }],
  });
}

/** Every row of every table, in key order, as plain values. */
async function dump(db: TestDb): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of BACKUP_TABLES) {
    const columns = scalarColumns(db.handle.db, table.model).map((c) => c.name);
    out[table.model] = await delegate(db.handle.db, table.model).findMany({
      select: Object.fromEntries(columns.map((c) => [c, true])),
      orderBy: table.key.map((k) => ({ [k]: "asc" })),
    });
  }
  return out;
}

async function isEmpty(db: TestDb): Promise<boolean> {
  for (const table of BACKUP_TABLES)
    if ((await delegate(db.handle.db, table.model).count()) > 0) return false;
  return true;
}

const dir = mkdtempSync(join(tmpdir(), "ls-backup-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

it("lists every model of the data model, parents before children", async () => {
  const db = await openTestDb("sqlite");
  try {
    expect(BACKUP_TABLES.map((t) => t.model).sort()).toEqual(modelNames(db.handle.db).sort());
  } finally {
    await db.close();
  }
});

const ROUTES: [DbProvider, DbProvider][] = [
  ["sqlite", "sqlite"],
  ["sqlite", "postgresql"],
  ["postgresql", "sqlite"],
  ["postgresql", "postgresql"],
];

describe.each(ROUTES)("backup from %s, restore into %s", (from, to) => {
  const skip = (from === "postgresql" || to === "postgresql") && pgMissing;
  let source: TestDb;
  let target: TestDb;
  let sourceCtx: DomainContext;
  let targetCtx: DomainContext;
  const key = randomBytes(32);
  const file = join(dir, `${from}-${to}.lsbackup`);

  beforeAll(async () => {
    if (skip) return;
    source = await openTestDb(from);
    target = await openTestDb(to);
    await fillDatabase(source);
    sourceCtx = source.ctx();
    // the target server has the source's ENCRYPTION_KEY, as a restored server must
    targetCtx = { ...target.ctx(), encryptionKey: sourceCtx.encryptionKey };
  });
  afterAll(async () => {
    if (skip) return;
    await source.close();
    await target.close();
  });

  it.skipIf(skip)("restores every table identically and the audit chain verifies", async () => {
    const before = await dump(source);
    for (const [table, rows] of Object.entries(before)) expect(rows.length, table).toBeGreaterThan(0);

    const progress: number[] = [];
    const made = await createBackup(
      sourceCtx,
      { path: file, batchSize: 100 },
      { key, onProgress: (p) => progress.push(p.rows) },
    );
    expect(made.rows).toBe(Object.values(before).reduce((n, rows) => n + rows.length, 0));
    expect(made.bytes).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(made.rows);
    // not readable without the key: no license key or email appears in the file
    const bytes = readFileSync(file);
    const license = (before.License as { key: string }[])[0];
    expect(bytes.includes(Buffer.from(license?.key ?? "x"))).toBe(false);
    expect(bytes.includes(Buffer.from("ops@example.com"))).toBe(false);

    const header = await describeBackup({ path: file });
    expect(header.sourceProvider).toBe(from);
    expect((await verifyBackup({ path: file }, key)).rows).toBe(made.rows);

    const restored = await restoreBackup(targetCtx, { path: file, batchSize: 7 }, { key });
    expect(restored.rows).toBe(made.rows);
    expect(await dump(target)).toEqual(before);

    const chain = await verifyAuditChain(targetCtx);
    expect(chain).toEqual(await verifyAuditChain(sourceCtx));
    expect(chain.ok).toBe(true);
  });

  it.skipIf(skip)("refuses to restore into a database that is not empty", async () => {
    await expectDomainError(
      restoreBackup(targetCtx, { path: file }, { key }),
      "FAILED_PRECONDITION",
      /not empty/,
    );
  });
});

describe.each(["sqlite", "postgresql"] as const)("a bad restore writes nothing [%s]", (provider) => {
  const skip = provider === "postgresql" && pgMissing;
  let source: TestDb;
  let target: TestDb;
  const key = randomBytes(32);
  const file = join(dir, `bad-${provider}.lsbackup`);

  beforeAll(async () => {
    if (skip) return;
    source = await openTestDb("sqlite");
    target = await openTestDb(provider);
    await fillDatabase(source);
    await createBackup(source.ctx(), { path: file }, { key });
  });
  afterAll(async () => {
    if (skip) return;
    await source.close();
    await target.close();
  });
  const targetCtx = () => ({ ...target.ctx(), encryptionKey: source.ctx().encryptionKey });

  it.skipIf(skip)("a wrong key fails cleanly", async () => {
    await expectDomainError(
      restoreBackup(targetCtx(), { path: file }, { key: randomBytes(32) }),
      "FAILED_PRECONDITION",
      /another key/,
    );
    await expectDomainError(
      verifyBackup({ path: file }, randomBytes(32)),
      "FAILED_PRECONDITION",
      /another key/,
    );
    expect(await isEmpty(target)).toBe(true);
  });

  it.skipIf(skip)("a changed byte, a changed header or a truncated file fail cleanly", async () => {
    const original = readFileSync(file);
    const headerEnd = original.indexOf(0x0a) + 1;
    const variants: [string, Buffer][] = [];
    for (const at of [headerEnd + 10, Math.floor((headerEnd + original.length) / 2), original.length - 3]) {
      const changed = Buffer.from(original);
      changed[at] = (changed[at] ?? 0) ^ 0x01;
      variants.push([`byte ${at}`, changed]);
    }
    const header = JSON.parse(original.subarray(0, headerEnd).toString()) as { appVersion: string };
    const edited = Buffer.from(JSON.stringify({ ...header, appVersion: "9.9.9" }) + "\n");
    variants.push(["header", Buffer.concat([edited, original.subarray(headerEnd)])]);
    variants.push(["truncated", original.subarray(0, original.length - 100)]);
    const firstChunkEnd = headerEnd + 4 + original.readUInt32BE(headerEnd);
    expect(firstChunkEnd).toBeLessThan(original.length);
    variants.push(["cut at a chunk", original.subarray(0, firstChunkEnd)]);
    for (const [what, bytes] of variants) {
      const path = join(dir, `changed-${provider}.lsbackup`);
      writeFileSync(path, bytes);
      await expectDomainError(
        restoreBackup(targetCtx(), { path }, { key }).then(() => {
          throw new Error(`${what} restored`);
        }),
        "INVALID_ARGUMENT",
        undefined,
        what,
      );
      expect(await isEmpty(target), what).toBe(true);
    }
  });

  it.skipIf(skip)("another ENCRYPTION_KEY on the target is refused unless allowed", async () => {
    await expectDomainError(
      restoreBackup(target.ctx(), { path: file }, { key }),
      "FAILED_PRECONDITION",
      /ENCRYPTION_KEY/,
    );
    expect(await isEmpty(target)).toBe(true);
    const restored = await restoreBackup(
      target.ctx(),
      { path: file, allowOtherEncryptionKey: true },
      { key },
    );
    expect(restored.rows).toBeGreaterThan(0);
  });

  it.skipIf(skip)("backups are operator actions", async () => {
    const ctx = source.ctx({ type: "admin", id: "a", label: "a", role: "super_admin", groupIds: [] });
    await expectDomainError(createBackup(ctx, { path: join(dir, "x.lsbackup") }, { key }), "FORBIDDEN");
  });
});

it("keeps the newest backups and leaves other files alone", () => {
  const keep = mkdtempSync(join(dir, "prune-"));
  const names = [0, 1, 2, 3, 4].map((i) => backupFileName(new Date(Date.UTC(2026, 10, 20 + i, 2))));
  for (const name of [...names, "notes.txt", "backup-manual.lsbackup"]) writeFileSync(join(keep, name), "x");
  expect(names[0]).toBe("backup-20261120T020000Z.lsbackup");
  expect(pruneBackups(keep, 2)).toEqual(names.slice(0, 3));
  expect(pruneBackups(keep, 2)).toEqual([]);
});
