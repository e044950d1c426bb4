// The admin side of sessions, machines and usage, in the domain (the licensing API's client side
// is driven through the domain operations here, without a transport).
import { afterAll, beforeAll, expect, it } from "vitest";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import type { LicensingContext } from "../../src/server/core/validation/licensing-context.ts";
import { validateLicense } from "../../src/server/core/validation/validate-license.ts";
import { activateSession } from "../../src/server/core/sessions/activate-session.ts";
import { endSession } from "../../src/server/core/sessions/end-session.ts";
import { heartbeatSession } from "../../src/server/core/sessions/heartbeat-session.ts";
import { listSessions } from "../../src/server/core/sessions/list-sessions.ts";
import { listMachines } from "../../src/server/core/machines/list-machines.ts";
import { releaseMachine } from "../../src/server/core/machines/release-machine.ts";
import { getUsage } from "../../src/server/core/usage/get-usage.ts";
import { recordUsage } from "../../src/server/core/usage/record-usage.ts";
import { actor, describeEachDb, type TestDb } from "../support/db.ts";
import { testClientContext } from "../support/licensing.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { makeLicense, makeWorld } from "../support/fixtures.ts";

describeEachDb("sessions, machines and usage for admins", (getDb) => {
  let db: TestDb;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  let client: LicensingContext;

  beforeAll(async () => {
    db = getDb();
    world = await makeWorld(db);
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    client = testClientContext(db, "10.0.0.7", 60);
  });
  afterAll(() => undefined);

  const info = (fingerprint: string) => ({
    productCode: world.product.code,
    fingerprint,
    hostname: "host-1",
  });

  it("lists a license's sessions and force-ends one; the client's next heartbeat is refused", async () => {
    const license = await makeLicense(db, world.customer.id, world.product.id, { seatLimit: 2 });
    const a = await activateSession(client, {
      licenseKey: license.key,
      client: info("m-a"),
      metadata: { app: "cad" },
    });
    await activateSession(client, { licenseKey: license.key, client: info("m-b") });
    const viewer = db.ctx(actor("viewer", [world.groupA.id]));
    const page = await listSessions(viewer, { licenseId: license.id });
    expect(page.total).toBe(2);
    expect(page.items.find((s) => s.id === a.sessionId)).toMatchObject({
      fingerprint: "m-a",
      hostname: "host-1",
      ip: "10.0.0.7",
      metadata: { app: "cad" },
      state: "live",
    });
    // outside the group the license does not exist; an editor may look but not end
    await expectDomainError(
      listSessions(db.ctx(actor("viewer", [world.groupB.id])), { licenseId: license.id }),
      "NOT_FOUND",
    );
    await expectDomainError(
      endSession(db.ctx(actor("editor", [world.groupA.id])), { id: a.sessionId ?? "" }),
      "FORBIDDEN",
    );

    const ended = await endSession(db.ctx(actor("admin", [world.groupA.id])), {
      id: a.sessionId ?? "",
      reason: "seat needed",
    });
    // ended, but its grace token still holds the seat (see test/core/seat-holds.test.ts)
    expect(ended).toMatchObject({ state: "held", endReason: "admin" });
    expect(ended.graceUntil).not.toBeNull();
    await expectDomainError(endSession(db.ctx(), { id: a.sessionId ?? "" }), "FAILED_PRECONDITION");
    const beat = await heartbeatSession(client, {
      licenseKey: license.key,
      sessionId: a.sessionId ?? "",
      client: info("m-a"),
    });
    expect(beat).toMatchObject({
      status: "SESSION_NOT_FOUND",
      message: "the session was ended by an administrator",
    });
    expect(
      (await listSessions(viewer, { licenseId: license.id, state: "ended" })).items.map((s) => s.id),
    ).toEqual([a.sessionId]);
    const audit = await db.handle.db.auditEvent.findFirst({
      where: { action: "session.end", targetId: a.sessionId ?? "" },
      select: { actorType: true, summary: true },
    });
    expect(audit?.actorType).toBe("admin");
    expect(JSON.parse(audit?.summary ?? "{}")).toMatchObject({ reason: "admin", note: "seat needed" });
  });

  it("shows sessions past their deadline as late until the reaper ends them", async () => {
    const license = await makeLicense(db, world.customer.id, world.product.id, {
      heartbeatIntervalSeconds: 60,
    });
    await activateSession(client, { licenseKey: license.key, client: info("m-late") });
    const start = db.clock.now();
    db.clock.advance(90_000);
    try {
      const page = await listSessions(db.ctx(), { licenseId: license.id });
      expect(page.items[0]?.state).toBe("late");
    } finally {
      db.clock.set(start);
    }
  });

  it("lists a node-locked license's machines and releases one so another machine fits", async () => {
    const license = await makeLicense(db, world.customer.id, world.product.id, {
      type: "node_locked",
      seatLimit: 1,
    });
    expect((await validateLicense(client, { licenseKey: license.key, client: info("m-1") })).status).toBe(
      "VALID",
    );
    await activateSession(client, { licenseKey: license.key, client: info("m-1") });
    expect((await validateLicense(client, { licenseKey: license.key, client: info("m-2") })).status).toBe(
      "FINGERPRINT_MISMATCH",
    );
    const machines = await listMachines(db.ctx(actor("viewer", [world.groupA.id])), {
      licenseId: license.id,
    });
    expect(machines.map((m) => m.fingerprint)).toEqual(["m-1"]);
    await expectDomainError(
      releaseMachine(db.ctx(actor("editor", [world.groupA.id])), { id: machines[0]?.id ?? "" }),
      "FORBIDDEN",
    );
    await releaseMachine(db.ctx(), { id: machines[0]?.id ?? "" });
    expect(await db.handle.db.session.count({ where: { licenseId: license.id, endedAt: null } })).toBe(0);
    expect((await validateLicense(client, { licenseKey: license.key, client: info("m-2") })).status).toBe(
      "VALID",
    );
    const actions = await db.handle.db.auditEvent.findMany({
      where: { targetId: license.id, action: { startsWith: "machine." } },
      orderBy: { seq: "asc" },
      select: { action: true },
    });
    expect(actions.map((a) => a.action)).toEqual(["machine.bind", "machine.release", "machine.bind"]);
  });

  it("reports usage against quotas with a daily series", async () => {
    const license = await makeLicense(db, world.customer.id, world.product.id, {
      entitlements: [
        { featureId: world.features.exportPdf.id },
        { featureId: world.features.apiCalls.id, quota: 100, quotaPeriod: "month" },
      ],
    });
    const start = db.clock.now();
    try {
      const use = (amount: number, key: string) =>
        recordUsage(client, {
          licenseKey: license.key,
          client: info("m-u"),
          featureCode: "api-calls",
          amount,
          idempotencyKey: key,
        });
      await use(5, "a");
      await use(7, "b");
      db.clock.advance(86_400_000);
      await use(11, "c");
      await use(11, "c"); // a replay counts once
      const usage = await getUsage(db.ctx(actor("viewer", [world.groupA.id])), { licenseId: license.id });
      expect(usage.features).toHaveLength(1);
      expect(usage.features[0]).toMatchObject({
        featureCode: "api-calls",
        quota: 100,
        quotaPeriod: "month",
        usedThisPeriod: 23,
        usedTotal: 23,
        series: [
          { period: start.toISOString().slice(0, 10), amount: 12 },
          { period: db.clock.now().toISOString().slice(0, 10), amount: 11 },
        ],
      });
      await expectDomainError(
        getUsage(db.ctx(), {
          licenseId: license.id,
          from: "2026-01-02T00:00:00Z",
          to: "2026-01-01T00:00:00Z",
        }),
        "INVALID_ARGUMENT",
      );
      await expectDomainError(
        getUsage(db.ctx(actor("viewer", [world.groupB.id])), { licenseId: license.id }),
        "NOT_FOUND",
      );
    } finally {
      db.clock.set(start);
    }
  });
});
