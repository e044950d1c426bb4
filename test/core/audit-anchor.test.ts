// The keyed, anchored audit chain under attack by a database writer (raw SQL): deleting the
// newest records, rewriting the chain with recomputed SHA-256 hashes, with an HMAC under another
// key, or with the right key but behind the checkpoint's back; a forged checkpoint; the
// checkpointer moving the file forward only.
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import {
  anchorIn,
  checkpointAuditHead,
  checkpointMessage,
  readCheckpoint,
  type AuditAnchor,
  type AuditCheckpoint,
} from "../../src/server/core/audit/checkpoint.ts";
import { startAuditCheckpointer } from "../../src/server/jobs/audit-checkpointer.ts";
import {
  verifyWholeAuditChain,
  type AuditChainReport,
} from "../../src/server/core/audit/verify-audit-chain.ts";
import {
  auditChainKey,
  auditHash,
  auditRecordSelect,
  GENESIS_HASH,
} from "../../src/server/core/audit/write-audit-event.ts";
import { createCustomer } from "../../src/server/core/customers/create-customer.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { keyId } from "../../src/server/crypto/ed25519.ts";
import type { Logger } from "../../src/server/logger.ts";
import { serverMetrics } from "../../src/server/metrics.ts";
import { describeEachDb, openTestDb, type TestDb } from "../support/db.ts";
import { makeWorld, unique } from "../support/fixtures.ts";

describeEachDb("anchored audit chain", (getDb) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  /** A fresh database with some history, a signing key and a checkpoint at its head. */
  async function anchoredWorld() {
    const db = await openTestDb(getDb().provider);
    const dir = mkdtempSync(join(tmpdir(), "ls-audit-anchor-"));
    cleanups.push(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    const world = await makeWorld(db);
    for (let i = 0; i < 4; i++)
      await createCustomer(db.ctx(), { name: unique("History"), groupId: world.groupA.id });
    const anchor = anchorIn(dir);
    const deps = { db: db.handle.db, encryptionKey: db.ctx().encryptionKey, logger: silentLogger() };
    const first = await checkpointAuditHead(deps, anchor);
    expect(first.written).toBe(true);
    const head = await db.handle.db.auditEvent.count();
    return { db, dir, anchor, deps, head, world };
  }

  const verify = (db: TestDb, anchor?: AuditAnchor) =>
    verifyWholeAuditChain(db.ctx(), { batchSize: 10 }, anchor);

  /** Raw SQL, as a database writer without the server's code would: rewrite records from `from` on. */
  async function rewriteFrom(
    db: TestDb,
    from: number,
    hashWith: (fields: Parameters<typeof auditHash>[0]) => { hash: string; version: number },
  ) {
    const rows = await db.handle.db.auditEvent.findMany({
      orderBy: { seq: "asc" },
      select: auditRecordSelect,
    });
    let prevHash = rows.find((r) => r.seq === from - 1)?.hash ?? GENESIS_HASH;
    for (const row of rows.filter((r) => r.seq >= from)) {
      const summary = row.seq === from ? JSON.stringify({ forged: true }) : row.summary;
      const { hash, version } = hashWith({ ...row, summary, prevHash });
      await db.handle.db
        .$executeRaw`UPDATE "AuditEvent" SET "summary" = ${summary}, "prevHash" = ${prevHash}, "hash" = ${hash}, "hashVersion" = ${version} WHERE "seq" = ${row.seq}`;
      prevHash = hash;
    }
  }
  const sha256 = (fields: Parameters<typeof auditHash>[0]) => auditHash(fields, 1, Buffer.alloc(0)) ?? "";

  it("verifies an intact chain against its signed checkpoint, written 0600 in the data directory", async () => {
    const { db, anchor, head, dir } = await anchoredWorld();
    const report = await verify(db, anchor);
    expect(report).toMatchObject({
      ok: true,
      lastSeq: head,
      anchored: true,
      keyedRecords: head,
      warnings: [],
    });
    expect(report.checkpoint).toMatchObject({ seq: head, file: join(dir, "audit-head.json") });
    expect(statSync(anchor.file).mode & 0o777).toBe(0o600);
    // no file: reported, not passed off as anchored
    const bare = await verify(db, anchorIn(join(dir, "elsewhere")));
    expect(bare).toMatchObject({ ok: true, anchored: false, checkpoint: null });
    expect(bare.warnings.join(" ")).toMatch(/no checkpoint at .*elsewhere/);
  });

  it("deleting the newest record (raw SQL) is 'truncated' at its seq, and stays detected after new writes", async () => {
    const { db, anchor, head, deps, world } = await anchoredWorld();
    expect(await verify(db)).toMatchObject({ ok: true }); // the chain alone cannot tell
    await db.handle.db.$executeRaw`DELETE FROM "AuditEvent" WHERE "seq" = ${head}`;
    expect(await verify(db)).toMatchObject({ ok: true });
    expect(await verify(db, anchor)).toMatchObject({ ok: false, reason: "truncated", brokenAt: head });
    // the checkpointer does not follow a shortened chain
    expect(await checkpointAuditHead(deps, anchor)).toMatchObject({ written: false, break: "truncated" });
    // the server appends again: a valid, keyed record takes the deleted one's seq; still caught
    await createCustomer(db.ctx(), { name: unique("After"), groupId: world.groupA.id });
    expect(await verify(db, anchor)).toMatchObject({ ok: false, reason: "rewritten", brokenAt: head });
    await createCustomer(db.ctx(), { name: unique("After"), groupId: world.groupA.id });
    expect(await checkpointAuditHead(deps, anchor)).toMatchObject({ written: false, break: "rewritten" });
    expect(await verify(db, anchor)).toMatchObject({ ok: false, reason: "rewritten", brokenAt: head });
    const file = await readCheckpoint(anchor);
    expect(file.state === "present" && file.checkpoint.seq).toBe(head); // never moved
  });

  it("rewriting from some record with recomputed SHA-256 hashes is caught at that record", async () => {
    const { db, anchor, head } = await anchoredWorld();
    const from = head - 3;
    // recomputed SHA-256 under the keyed version
    await rewriteFrom(db, from, (f) => ({ hash: sha256(f), version: 2 }));
    expect(await verify(db, anchor)).toMatchObject({ ok: false, reason: "hash-mismatch", brokenAt: from });
    expect(await verify(db)).toMatchObject({ ok: false, reason: "hash-mismatch", brokenAt: from });
    // and posing as old, unkeyed records
    await rewriteFrom(db, from, (f) => ({ hash: sha256(f), version: 1 }));
    expect(await verify(db)).toMatchObject({ ok: false, reason: "version-downgrade", brokenAt: from });
  });

  it("rewriting the whole chain as unkeyed records is caught by the checkpoint", async () => {
    const { db, anchor, head } = await anchoredWorld();
    await rewriteFrom(db, 1, (f) => ({ hash: sha256(f), version: 1 }));
    expect(await verify(db)).toMatchObject({ ok: true, legacyRecords: head }); // consistent on its own
    expect(await verify(db, anchor)).toMatchObject({ ok: false, reason: "rewritten", brokenAt: head });
  });

  it("rewriting with an HMAC under another key is caught at the first record rewritten", async () => {
    const { db, anchor, head } = await anchoredWorld();
    const from = 2;
    const wrongKey = auditChainKey(randomBytes(32));
    await rewriteFrom(db, from, (f) => ({ hash: auditHash(f, 2, wrongKey) ?? "", version: 2 }));
    expect(await verify(db, anchor)).toMatchObject({ ok: false, reason: "hash-mismatch", brokenAt: from });
    expect(head).toBeGreaterThan(from);
  });

  it("even with the right key, a rewrite up to the checkpoint is 'rewritten'", async () => {
    const { db, anchor, head } = await anchoredWorld();
    const key = auditChainKey(db.ctx().encryptionKey);
    await rewriteFrom(db, head - 2, (f) => ({ hash: auditHash(f, 2, key) ?? "", version: 2 }));
    expect(await verify(db)).toMatchObject({ ok: true });
    expect(await verify(db, anchor)).toMatchObject({ ok: false, reason: "rewritten", brokenAt: head });
  });

  it("a forged checkpoint does not verify: edited fields, or signed by a key added to the table", async () => {
    const { db, anchor, head } = await anchoredWorld();
    const original = readFileSync(anchor.file, "utf8");
    const cp = JSON.parse(original) as AuditCheckpoint;
    writeFileSync(anchor.file, JSON.stringify({ ...cp, seq: head - 1 }));
    expect(await verify(db, anchor)).toMatchObject({
      ok: false,
      reason: "checkpoint-signature",
      brokenAt: head - 1,
    });

    // the attacker's own Ed25519 key, inserted into SigningKey, signs a checkpoint of a shorter chain
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const kid = keyId(publicKey);
    await db.handle.db.signingKey.create({
      data: {
        kid,
        publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
        privateKeyEnc: "v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
        status: "published",
      },
      select: { id: true },
    });
    await db.handle.db.$executeRaw`DELETE FROM "AuditEvent" WHERE "seq" = ${head}`;
    const last = await db.handle.db.auditEvent.findUniqueOrThrow({
      where: { seq: head - 1 },
      select: { hash: true },
    });
    const fields = { seq: head - 1, hash: last.hash, at: new Date().toISOString(), kid };
    const forged = {
      format: cp.format,
      ...fields,
      signature: sign(null, checkpointMessage(fields), privateKey).toString("base64"),
    };
    writeFileSync(anchor.file, JSON.stringify(forged));
    const report = await verify(db, anchor);
    expect(report).toMatchObject({ ok: false, reason: "checkpoint-signature", brokenAt: head - 1 });
    expect((report as Extract<AuditChainReport, { ok: false }>).detail).toMatch(/does not decrypt/);

    writeFileSync(anchor.file, "not json");
    expect(await verify(db, anchor)).toMatchObject({
      ok: false,
      reason: "checkpoint-unreadable",
      brokenAt: null,
    });
  });

  it("the checkpointer follows audit writes (debounced), logs and exports the head, and only moves forward", async () => {
    const { db, anchor, dir, world } = await anchoredWorld();
    const lines: { msg: string; fields: Record<string, unknown> }[] = [];
    const logger = capturingLogger(lines);
    const checkpointer = startAuditCheckpointer({
      db: db.handle.db,
      encryptionKey: db.ctx().encryptionKey,
      logger,
      dataDir: dir,
      debounceMs: 400,
    });
    cleanups.unshift(() => checkpointer.stop());
    await checkpointer.runNow();
    for (let i = 0; i < 5; i++)
      await createCustomer(db.ctx(), { name: unique("Live"), groupId: world.groupA.id });
    const head = await db.handle.db.auditEvent.count();
    await expect.poll(async () => seqOf(anchor), { timeout: 5000 }).toBe(head);
    const logged = lines.filter((l) => l.msg === "audit chain checkpoint");
    expect(logged.at(-1)?.fields.seq).toBe(head);
    expect(logged.at(-1)?.fields.hash).toMatch(/^[0-9a-f]{64}$/);
    // five writes within the debounce window: fewer checkpoints than writes
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(logged.length).toBeLessThanOrEqual(2);
    const metrics = await serverMetrics().registry.getSingleMetricAsString(
      "license_server_audit_checkpoint_seq",
    );
    expect(metrics).toMatch(new RegExp(`license_server_audit_checkpoint_seq\\{[^}]*\\} ${head}\\b`));

    // a concurrent run of a second process: one lock, one valid file
    const [a, b] = await Promise.all([checkpointer.runNow(), checkpointAuditHead(silentDeps(db), anchor)]);
    expect([a?.written, b.written]).not.toContain(true); // nothing new to anchor
    expect(await verify(db, anchor)).toMatchObject({ ok: true, anchored: true });
  });
});

async function seqOf(anchor: AuditAnchor): Promise<number> {
  const file = await readCheckpoint(anchor);
  return file.state === "present" ? file.checkpoint.seq : 0;
}

function silentLogger(): Logger {
  return capturingLogger([]);
}

function silentDeps(db: TestDb) {
  return { db: db.handle.db, encryptionKey: db.ctx().encryptionKey, logger: silentLogger() };
}

function capturingLogger(lines: { msg: string; fields: Record<string, unknown> }[]): Logger {
  const record = (fields: unknown, msg?: string) => {
    lines.push(
      typeof fields === "string"
        ? { msg: fields, fields: {} }
        : { msg: msg ?? "", fields: fields as Record<string, unknown> },
    );
  };
  return { info: record, warn: record, error: record, debug: record } as unknown as Logger;
}
