// The dashboard's numbers: counts within the caller's groups, licenses expiring soon, the audit
// tail for admins only, and hourly activity from the in-memory counters and session samples.
import { beforeAll, expect, it } from "vitest";
import { createLogger } from "../../src/server/logger.ts";
import { ActivityCounter, sampleActiveSessions } from "../../src/server/core/stats/activity.ts";
import { getActivity } from "../../src/server/core/stats/get-activity.ts";
import { getLicenseActivity } from "../../src/server/core/stats/get-license-activity.ts";
import { getDashboardSummary } from "../../src/server/core/stats/get-dashboard-summary.ts";
import { actor, describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { makeCustomer, makeLicense, makeWorld } from "../support/fixtures.ts";

const HOUR = 3_600_000;

describeEachDb("dashboard", (getDb) => {
  let db: TestDb;
  let world: Awaited<ReturnType<typeof makeWorld>>;

  beforeAll(async () => {
    db = getDb();
    world = await makeWorld(db);
  });

  it("counts within the caller's groups and lists licenses expiring within 30 days", async () => {
    const now = db.clock.now().getTime();
    const soon = await makeLicense(db, world.customer.id, world.product.id, {
      expiresAt: new Date(now + 10 * 24 * HOUR),
    });
    await makeLicense(db, world.customer.id, world.product.id, { expiresAt: new Date(now + 90 * 24 * HOUR) });
    const other = await makeCustomer(db, world.groupB.id);
    await makeLicense(db, other.id, world.product.id);
    await db.handle.db.session.create({
      data: {
        licenseId: soon.id,
        fingerprint: "m-1",
        startedAt: new Date(now),
        lastHeartbeatAt: new Date(now),
        deadlineAt: new Date(now + 300_000),
      },
      select: { id: true },
    });

    const viewer = await getDashboardSummary(db.ctx(actor("viewer", [world.groupA.id])));
    expect(viewer).toMatchObject({ customers: 1, activeLicenses: 3, activeSessions: 1, recentAudit: null });
    expect(viewer.expiringSoon.map((l) => l.id)).toEqual([soon.id]);

    const everyone = await getDashboardSummary(db.ctx());
    expect(everyone.customers).toBe(2);
    expect(everyone.activeLicenses).toBe(4);
    expect(everyone.recentAudit?.length).toBe(10);
    const admin = await getDashboardSummary(db.ctx(actor("admin", [world.groupB.id])));
    expect(admin).toMatchObject({ customers: 1, activeLicenses: 1, activeSessions: 0, expiringSoon: [] });
    expect(admin.recentAudit).not.toBeNull();
    // group B's admin: group A's license events (the latest of all) are not in their tail
    const groupALicenses = new Set([world.license.id, soon.id]);
    expect(everyone.recentAudit?.some((e) => groupALicenses.has(e.targetId ?? ""))).toBe(true);
    expect(admin.recentAudit?.length).toBeGreaterThan(0);
    expect(
      admin.recentAudit?.filter(
        (e) => groupALicenses.has(e.targetId ?? "") || e.targetId === world.customer.id,
      ),
    ).toEqual([]);
  });

  it("adds up validations per hour from several counters and keeps the last session sample", async () => {
    const logger = createLogger({ level: "silent" });
    const [a, b] = [new ActivityCounter(db.handle.db, logger), new ActivityCounter(db.handle.db, logger)];
    const t0 = new Date("2026-05-30T10:15:00.000Z");
    for (let i = 0; i < 5; i++) a.record(t0, true);
    a.record(t0, false);
    b.record(new Date(t0.getTime() + 20 * 60_000), false);
    b.record(new Date(t0.getTime() + HOUR), true);
    await Promise.all([a.flush(), b.flush()]);
    await a.flush(); // nothing left: adds nothing
    await sampleActiveSessions(db.handle.db, t0, 60);

    const hourly = await getActivity(db.ctx(actor("viewer", [world.groupA.id])), {
      granularity: "hour",
      from: "2026-05-30T09:00:00.000Z",
      to: "2026-05-30T12:00:00.000Z",
    });
    expect(hourly.series.map((p) => [p.at.toISOString().slice(11, 13), p.validations, p.refused])).toEqual([
      ["09", 0, 0],
      ["10", 7, 2],
      ["11", 1, 0],
      ["12", 0, 0],
    ]);
    const daily = await getActivity(db.ctx(), {
      granularity: "day",
      from: "2026-05-29T00:00:00.000Z",
      to: "2026-05-31T00:00:00.000Z",
    });
    expect(daily.series.map((p) => p.validations)).toEqual([0, 8, 0]);
    await expectDomainError(
      getActivity(db.ctx(), {
        granularity: "hour",
        from: "2020-01-01T00:00:00Z",
        to: "2026-01-01T00:00:00Z",
      }),
      "INVALID_ARGUMENT",
    );
  });

  it("counts each license's validations per hour, for the license's groups only", async () => {
    const logger = createLogger({ level: "silent" });
    const counter = new ActivityCounter(db.handle.db, logger);
    const other = await makeLicense(db, world.customer.id, world.product.id);
    const t0 = new Date("2026-06-02T08:05:00.000Z");
    counter.record(t0, true, world.license.key);
    counter.record(t0, false, world.license.key);
    counter.record(new Date(t0.getTime() + 2 * HOUR), true, world.license.key);
    counter.record(t0, false, other.key);
    // a key no license has: counted in the totals only
    counter.record(t0, false, "LS-NO-SUCH-KEY");
    await counter.flush();
    await counter.flush(); // nothing left: adds nothing

    const hourly = await getLicenseActivity(db.ctx(actor("viewer", [world.groupA.id])), {
      licenseId: world.license.id,
      granularity: "hour",
      from: "2026-06-02T07:00:00.000Z",
      to: "2026-06-02T10:00:00.000Z",
    });
    expect(hourly.series.map((p) => [p.at.toISOString().slice(11, 13), p.validations, p.refused])).toEqual([
      ["07", 0, 0],
      ["08", 2, 1],
      ["09", 0, 0],
      ["10", 1, 0],
    ]);
    const otherDaily = await getLicenseActivity(db.ctx(), {
      licenseId: other.id,
      granularity: "day",
      from: "2026-06-02T00:00:00.000Z",
      to: "2026-06-02T12:00:00.000Z",
    });
    expect(otherDaily.series.map((p) => [p.validations, p.refused])).toEqual([[1, 1]]);
    expect(await db.handle.db.licenseActivityBucket.count({ where: { licenseId: world.license.id } })).toBe(
      2,
    );
    const totals = await getActivity(db.ctx(), {
      granularity: "hour",
      from: "2026-06-02T08:00:00.000Z",
      to: "2026-06-02T08:30:00.000Z",
    });
    expect(totals.series.map((p) => [p.validations, p.refused])).toEqual([[4, 3]]);
    // outside the license's groups: as if it did not exist
    await expectDomainError(
      getLicenseActivity(db.ctx(actor("viewer", [world.groupB.id])), { licenseId: world.license.id }),
      "NOT_FOUND",
    );
  });
});
