// The expiry scan on both databases with the injected clock: 30/7/1-day notices and the expiry,
// each once per license, threshold and expiry; only the smallest due threshold; renewals get new
// notices; old expiries and revoked licenses none; trials their trial.expired; two scanners (two
// connections, as two sidecars) at once send each notice once; the job runs it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanExpiries } from "../../src/server/core/events/scan-expiries.ts";
import { renewLicense } from "../../src/server/core/licenses/renew-license.ts";
import { revokeLicense } from "../../src/server/core/licenses/revoke-license.ts";
import { suspendLicense } from "../../src/server/core/licenses/suspend-license.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { startTrial } from "../../src/server/core/trials/start-trial.ts";
import { openDatabase, type DbHandle } from "../../src/server/db/client.ts";
import { startExpiryNotices } from "../../src/server/jobs/expiry-notices.ts";
import { createLogger } from "../../src/server/logger.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeLicense, makeWorld } from "../support/fixtures.ts";
import { fingerprint, testClientContext } from "../support/licensing.ts";
import { makeTrialProduct } from "../support/trials.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describeEachDb("license expiry notices", (getDb) => {
  let db: TestDb;
  let world: Awaited<ReturnType<typeof makeWorld>>;

  beforeAll(async () => {
    db = getDb();
    world = await makeWorld(db);
  });

  const expiringIn = (ms: number) =>
    makeLicense(db, world.customer.id, world.product.id, {
      expiresAt: new Date(db.clock.now().getTime() + ms),
    });

  async function eventsOf(licenseId: string) {
    const rows = await db.handle.db.event.findMany({
      where: { licenseId },
      orderBy: { seq: "asc" },
      select: { type: true, groupId: true, seq: true, data: true },
    });
    return rows
      .filter((r) => ["license.expiring_soon", "license.expired", "trial.expired"].includes(r.type))
      .map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
  }
  const expiryEventCount = () =>
    db.handle.db.event.count({
      where: { type: { in: ["license.expiring_soon", "license.expired", "trial.expired"] } },
    });

  it("sends 30, 7 and 1 days before and at the expiry, each once; a second scan sends nothing", async () => {
    const l = await expiringIn(40 * DAY);
    const expiresAt = new Date(db.clock.now().getTime() + 40 * DAY);
    await scanExpiries(db.ctx());
    expect(await eventsOf(l.id)).toEqual([]);

    const steps: [number, string, number | null][] = [
      [40 * DAY - 29.5 * DAY, "license.expiring_soon", 30],
      [23 * DAY, "license.expiring_soon", 7],
      [6 * DAY, "license.expiring_soon", 1],
      [0.5 * DAY + HOUR, "license.expired", null],
    ];
    for (const [advance, type, daysLeft] of steps) {
      db.clock.advance(advance);
      const before = (await eventsOf(l.id)).length;
      const first = await scanExpiries(db.ctx());
      expect(first.more).toBe(false);
      const events = await eventsOf(l.id);
      expect(events).toHaveLength(before + 1);
      const last = events[events.length - 1];
      expect(last).toMatchObject({ type, groupId: world.groupA.id });
      if (daysLeft !== null) {
        expect(last?.data).toMatchObject({
          daysLeft,
          expiresAt: expiresAt.toISOString(),
          license: { id: l.id, status: "active" },
        });
      } else {
        expect(last?.data).toMatchObject({
          expiredAt: expiresAt.toISOString(),
          license: { id: l.id, status: "expired", trial: false },
        });
      }
      // the second scan: nothing at all
      const total = await expiryEventCount();
      const second = await scanExpiries(db.ctx());
      expect(second).toMatchObject({ expiringSoon: 0, expired: 0, trialsExpired: 0, alreadySent: 0 });
      expect(await expiryEventCount()).toBe(total);
    }
    const notices = await db.handle.db.licenseExpiryNotice.findMany({
      where: { licenseId: l.id },
      orderBy: { threshold: "desc" },
      select: { threshold: true, expiresAt: true },
    });
    expect(notices).toEqual([30, 7, 1, 0].map((threshold) => ({ threshold, expiresAt })));
    // days later, still nothing more
    db.clock.advance(3 * DAY);
    await scanExpiries(db.ctx());
    expect(await eventsOf(l.id)).toHaveLength(4);
  });

  it("a license issued with 5 days left gets the 7-day notice, not also the 30-day one", async () => {
    const l = await expiringIn(5 * DAY);
    const result = await scanExpiries(db.ctx());
    expect(result.expiringSoon).toBeGreaterThanOrEqual(1);
    const events = await eventsOf(l.id);
    expect(events.map((e) => e.data.daysLeft)).toEqual([7]);
    db.clock.advance(4.5 * DAY);
    await scanExpiries(db.ctx());
    expect((await eventsOf(l.id)).map((e) => e.data.daysLeft)).toEqual([7, 1]);
  });

  it("a renewal moves the expiry: the new expiry gets its own notices", async () => {
    const l = await expiringIn(0.5 * DAY);
    await scanExpiries(db.ctx());
    expect((await eventsOf(l.id)).map((e) => e.data.daysLeft)).toEqual([1]);
    await renewLicense(db.ctx(), { id: l.id, extendDays: 20 });
    const renewedTo = new Date(db.clock.now().getTime() + 0.5 * DAY + 20 * DAY);
    await scanExpiries(db.ctx());
    const events = await eventsOf(l.id);
    expect(events.map((e) => [e.data.daysLeft, e.data.expiresAt])).toEqual([
      [1, new Date(renewedTo.getTime() - 20 * DAY).toISOString()],
      [30, renewedTo.toISOString()],
    ]);
    db.clock.advance(20 * DAY);
    await scanExpiries(db.ctx());
    expect((await eventsOf(l.id)).map((e) => e.data.daysLeft)).toEqual([1, 30, 1]);
  });

  it("expiries more than 7 days ago get nothing; 6 days ago still get license.expired", async () => {
    const old = await expiringIn(30 * DAY);
    const recent = await expiringIn(30 * DAY);
    const now = db.clock.now().getTime();
    // as if they had expired before the server knew how to tell (an upgrade)
    await db.handle.db.license.update({
      where: { id: old.id },
      data: { expiresAt: new Date(now - 8 * DAY) },
    });
    await db.handle.db.license.update({
      where: { id: recent.id },
      data: { expiresAt: new Date(now - 6 * DAY) },
    });
    await scanExpiries(db.ctx());
    expect(await eventsOf(old.id)).toEqual([]);
    expect((await eventsOf(recent.id)).map((e) => e.type)).toEqual(["license.expired"]);
  });

  it("revoked licenses get nothing; suspended ones still do", async () => {
    const revoked = await expiringIn(3 * DAY);
    const suspended = await expiringIn(3 * DAY);
    await revokeLicense(db.ctx(), { id: revoked.id });
    await suspendLicense(db.ctx(), { id: suspended.id });
    await scanExpiries(db.ctx());
    expect(await eventsOf(revoked.id)).toEqual([]);
    expect(await eventsOf(suspended.id)).toMatchObject([
      { type: "license.expiring_soon", data: { daysLeft: 7, license: { status: "suspended" } } },
    ]);
  });

  it("an unconverted trial that expired: license.expired, then trial.expired in the same change", async () => {
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    const t = await makeTrialProduct(db, { durationDays: 3 });
    const answer = await startTrial(testClientContext(db, "203.0.113.9", 60), {
      client: {
        productCode: t.product.code,
        fingerprint: fingerprint(),
        hostname: "h",
        clientVersion: "1.0.0",
      },
    });
    expect(answer.status).toBe("VALID");
    const lic = await db.handle.db.license.findFirstOrThrow({
      where: { key: answer.licenseKey ?? "" },
      select: { id: true, trialRecord: { select: { id: true } } },
    });
    await scanExpiries(db.ctx());
    db.clock.advance(3 * DAY + HOUR);
    const result = await scanExpiries(db.ctx());
    expect(result.trialsExpired).toBe(1);
    const events = await eventsOf(lic.id);
    expect(events.map((e) => e.type)).toEqual(["license.expiring_soon", "license.expired", "trial.expired"]);
    const [, expired, trial] = events;
    expect(trial?.seq).toBe((expired?.seq ?? 0) + 1);
    expect(trial).toMatchObject({
      groupId: t.group.id,
      data: { trial: { id: lic.trialRecord?.id, convertedAt: null }, license: { id: lic.id, trial: true } },
    });
  });

  it("at most `limit` notices per call, with `more` until all are sent", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await expiringIn(20 * DAY + i * HOUR)).id);
    const first = await scanExpiries(db.ctx(), { limit: 2 });
    expect(first).toMatchObject({ expiringSoon: 2, more: true });
    let sent = first.expiringSoon;
    for (let calls = 0; calls < 10; calls++) {
      const next = await scanExpiries(db.ctx(), { limit: 2 });
      sent += next.expiringSoon;
      if (!next.more) break;
    }
    expect(sent).toBe(5);
    for (const id of ids) expect((await eventsOf(id)).map((e) => e.data.daysLeft)).toEqual([30]);
  });

  describe("scanners at once", () => {
    // PostgreSQL: a second connection pool, as a second sidecar. SQLite is one process's file
    // (better-sqlite3 waits for another handle's lock synchronously): the scanners share the handle.
    let second: DbHandle | undefined;
    beforeAll(async () => {
      if (db.provider === "postgresql") second = await openDatabase(db.target);
    });
    afterAll(async () => {
      await second?.close();
    });
    const otherCtx = () => (second ? { ...db.ctx(), db: second.db } : db.ctx());

    it("each notice is sent once", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push((await expiringIn(25 * DAY + i * HOUR)).id);
      const results = await Promise.all([
        scanExpiries(db.ctx()),
        scanExpiries(otherCtx()),
        scanExpiries(db.ctx()),
        scanExpiries(otherCtx()),
      ]);
      expect(results.reduce((n, r) => n + r.expiringSoon, 0)).toBe(12);
      for (const id of ids) expect(await eventsOf(id)).toHaveLength(1);
      expect(await db.handle.db.licenseExpiryNotice.count({ where: { licenseId: { in: ids } } })).toBe(12);
    });

    it("a notice the other scanner records meanwhile: its key decides, this one sends nothing", async (test) => {
      if (!second) return test.skip();
      const l = await expiringIn(26 * DAY);
      const expiresAt = new Date(db.clock.now().getTime() + 26 * DAY);
      let scan: Promise<Awaited<ReturnType<typeof scanExpiries>>> | undefined;
      await second.db.$transaction(async (tx) => {
        // recorded, not committed: this scan reads no notice, and its insert waits for the commit
        await tx.licenseExpiryNotice.create({
          data: { licenseId: l.id, threshold: 30, expiresAt, sentAt: db.clock.now() },
          select: { licenseId: true },
        });
        scan = scanExpiries(db.ctx());
        await new Promise((resolve) => setTimeout(resolve, 700));
      });
      const result = await scan;
      expect(result).toMatchObject({ expiringSoon: 0, alreadySent: 1 });
      expect(await eventsOf(l.id)).toEqual([]);
    });
  });

  it("the job runs the scan when asked, and stops", async () => {
    const l = await expiringIn(2 * DAY);
    const job = startExpiryNotices({
      database: db.handle,
      clock: db.clock,
      logger: createLogger({ level: "silent" }),
      encryptionKey: db.ctx().encryptionKey,
      intervalMs: 0,
    });
    const [a, b] = await Promise.all([job.runNow(), job.runNow()]);
    // one run at a time: the second call joined the first
    expect(b).toBe(a);
    expect(a.expiringSoon).toBeGreaterThanOrEqual(1);
    expect((await eventsOf(l.id)).map((e) => e.data.daysLeft)).toEqual([7]);
    await job.stop();
  });
});
