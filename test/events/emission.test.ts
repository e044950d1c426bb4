// Every event type of the catalogue comes out of the real operation that makes it, on both
// databases: the Event row (type, version, license, group, the key fields of its data), written
// with the change or not at all, in order with consecutive positions, and fanned out to the
// endpoints that want it (all, a group's, one type's) and not to a disabled one. Secrets (the
// client's address, idempotency keys, component hashes) never reach an event's data. At the end,
// every type reaches a real receiver through the delivery worker, verified with standardwebhooks.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/server/core/context.ts";
import { EVENT_CATALOG, EVENT_TYPES, type EventType } from "../../src/server/core/events/schemas.ts";
import { scanExpiries } from "../../src/server/core/events/scan-expiries.ts";
import { failedPrecondition } from "../../src/server/core/errors.ts";
import { issueLicenses } from "../../src/server/core/licenses/issue-licenses.ts";
import { reinstateLicense } from "../../src/server/core/licenses/reinstate-license.ts";
import { renewLicense } from "../../src/server/core/licenses/renew-license.ts";
import { revokeLicense } from "../../src/server/core/licenses/revoke-license.ts";
import { setEntitlements } from "../../src/server/core/licenses/set-entitlements.ts";
import { suspendLicense } from "../../src/server/core/licenses/suspend-license.ts";
import { updateLicense } from "../../src/server/core/licenses/update-license.ts";
import { releaseMachine } from "../../src/server/core/machines/release-machine.ts";
import { checkoutLicenseFile } from "../../src/server/core/offline/checkout-license-file.ts";
import { archivePolicy } from "../../src/server/core/policies/archive-policy.ts";
import { createPolicy } from "../../src/server/core/policies/create-policy.ts";
import { updatePolicy } from "../../src/server/core/policies/update-policy.ts";
import { activateSession } from "../../src/server/core/sessions/activate-session.ts";
import { deactivateSession } from "../../src/server/core/sessions/deactivate-session.ts";
import { endSession } from "../../src/server/core/sessions/end-session.ts";
import { reapDeadSessions } from "../../src/server/core/sessions/reap-sessions.ts";
import { mutate } from "../../src/server/core/shared/mutate.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { convertTrial } from "../../src/server/core/trials/convert-trial.ts";
import { startTrial } from "../../src/server/core/trials/start-trial.ts";
import { recordUsage } from "../../src/server/core/usage/record-usage.ts";
import type { LicensingContext } from "../../src/server/core/validation/licensing-context.ts";
import { validateLicense } from "../../src/server/core/validation/validate-license.ts";
import { newWebhookSecret, sealWebhookSecret } from "../../src/server/core/webhooks/secret.ts";
import { sendWebhookTestEvent } from "../../src/server/core/webhooks/send-test-event.ts";
import { startWebhookWorker } from "../../src/server/jobs/webhook-worker.ts";
import { createLogger } from "../../src/server/logger.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { makeCustomer, makeLicense, makeWorld, unique } from "../support/fixtures.ts";
import { fingerprint, testClientContext } from "../support/licensing.ts";
import { components, makeTrialProduct } from "../support/trials.ts";
import { WebhookReceiver } from "../support/webhook-receiver.ts";

const CLIENT_IP = "198.51.100.23";
const TOLERANCE_SECONDS = 60;

interface EventRow {
  id: string;
  seq: number;
  type: string;
  version: number;
  licenseId: string | null;
  groupId: string | null;
  data: Record<string, unknown>;
  raw: string;
}

describeEachDb("events emitted by the domain", (getDb) => {
  let db: TestDb;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  let client: LicensingContext;
  /** endpoints: every event; group A's; group B's; license.created only; disabled */
  const endpoint = { all: "", groupA: "", groupB: "", createdOnly: "", disabled: "" };

  beforeAll(async () => {
    db = getDb();
    world = await makeWorld(db);
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    client = testClientContext(db, CLIENT_IP, TOLERANCE_SECONDS);
    const make = async (extra: { events?: string[]; groupIds?: string[] | null; enabled?: boolean }) => {
      const row = await db.handle.db.webhookEndpoint.create({
        data: {
          url: "https://hooks.example.com/in",
          events: JSON.stringify(extra.events ?? ["*"]),
          groupIds: extra.groupIds ? JSON.stringify(extra.groupIds) : null,
          enabled: extra.enabled ?? true,
          disabledReason: extra.enabled === false ? "admin" : null,
          secretEnc: sealWebhookSecret(db.ctx().encryptionKey, newWebhookSecret()),
        },
        select: { id: true },
      });
      return row.id;
    };
    endpoint.all = await make({});
    endpoint.groupA = await make({ groupIds: [world.groupA.id] });
    endpoint.groupB = await make({ groupIds: [world.groupB.id] });
    endpoint.createdOnly = await make({ events: ["license.created"] });
    endpoint.disabled = await make({ enabled: false });
  });

  const lastSeq = async () =>
    (await db.handle.db.event.findFirst({ orderBy: { seq: "desc" }, select: { seq: true } }))?.seq ?? 0;

  async function eventsAfter(seq: number): Promise<EventRow[]> {
    const rows = await db.handle.db.event.findMany({
      where: { seq: { gt: seq } },
      orderBy: { seq: "asc" },
      select: { id: true, seq: true, type: true, version: true, licenseId: true, groupId: true, data: true },
    });
    return rows.map((r) => ({ ...r, raw: r.data, data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  /** Runs `change` and returns the events it wrote (checked: consecutive positions, no secrets). */
  async function during(change: () => Promise<unknown>): Promise<EventRow[]> {
    const before = await lastSeq();
    await change();
    const events = await eventsAfter(before);
    events.forEach((e, i) => {
      expect(e.seq).toBe(before + i + 1);
      expect(e.version).toBe(EVENT_CATALOG[e.type as EventType].version);
      expect(e.id).toMatch(/^evt_[0-9a-f]{32}$/);
      expect(e.raw).not.toContain(CLIENT_IP);
    });
    return events;
  }

  const types = (events: EventRow[]) => events.map((e) => e.type);

  async function deliveredTo(eventId: string): Promise<string[]> {
    const rows = await db.handle.db.webhookDelivery.findMany({
      where: { eventId },
      select: { endpointId: true, status: true, attempts: true },
    });
    for (const r of rows) expect(r).toMatchObject({ status: "pending", attempts: 0 });
    return rows.map((r) => r.endpointId).sort();
  }
  const sorted = (...ids: string[]) => [...ids].sort();

  const info = (fp: string, productCode = world.product.code) => ({
    productCode,
    fingerprint: fp,
    hostname: "host-e",
    clientVersion: "2.1.0",
  });
  const license = (extra: Parameters<typeof makeLicense>[3] = {}) =>
    makeLicense(db, world.customer.id, world.product.id, extra);

  describe("licenses", () => {
    it("license.created: the license with its key and group; delivered to the endpoints that want it", async () => {
      let id = "";
      const [created, ...rest] = await during(async () => {
        id = (await license({ seatLimit: 2, metadata: { plan: "gold" } })).id;
      });
      expect(rest).toEqual([]);
      expect(created).toMatchObject({ type: "license.created", licenseId: id, groupId: world.groupA.id });
      const row = await db.handle.db.license.findUniqueOrThrow({ where: { id }, select: { key: true } });
      expect(created?.data).toMatchObject({
        license: {
          id,
          key: row.key,
          status: "active",
          seatLimit: 2,
          metadata: { plan: "gold" },
          customer: { id: world.customer.id, groupId: world.groupA.id },
          product: { id: world.product.id, code: world.product.code },
        },
      });
      // every-event, group A's and the license.created-only endpoint; not group B's, not the disabled one
      expect(await deliveredTo(created?.id ?? "")).toEqual(
        sorted(endpoint.all, endpoint.groupA, endpoint.createdOnly),
      );
    });

    it("a bulk issue sends license.created for each license, in order, with the customer's group", async () => {
      const policy = await createPolicy(db.ctx(), {
        productId: world.product.id,
        name: unique("bulk"),
        seatLimit: 1,
      });
      let issued: { id: string; key: string }[] = [];
      const events = await during(async () => {
        issued = (
          await issueLicenses(db.ctx(), { customerId: world.customer.id, policyId: policy.id, count: 3 })
        ).licenses;
      });
      expect(types(events)).toEqual(["license.created", "license.created", "license.created"]);
      expect(events.map((e) => e.licenseId).sort()).toEqual(issued.map((l) => l.id).sort());
      for (const e of events) {
        expect(e.groupId).toBe(world.groupA.id);
        const l = issued.find((i) => i.id === e.licenseId);
        expect(e.data).toMatchObject({ license: { id: l?.id, key: l?.key, policyId: policy.id } });
      }
    });

    it("license.updated carries the audit's changes; an update that changes nothing sends none", async () => {
      const { id } = await license({ seatLimit: 2 });
      const [updated, ...rest] = await during(() => updateLicense(db.ctx(), { id, seatLimit: 5 }));
      expect(rest).toEqual([]);
      expect(updated).toMatchObject({
        type: "license.updated",
        licenseId: id,
        groupId: world.groupA.id,
        data: { license: { id, seatLimit: 5 }, changes: { seatLimit: { from: 2, to: 5 } } },
      });
      expect(await during(() => updateLicense(db.ctx(), { id, seatLimit: 5 }))).toEqual([]);
    });

    it("set-entitlements: license.updated with the entitlements before and after, by feature code", async () => {
      const { id } = await license({ entitlements: [{ featureId: world.features.exportPdf.id }] });
      const events = await during(() =>
        setEntitlements(db.ctx(), {
          id,
          entitlements: [{ featureId: world.features.apiCalls.id, quota: 10, quotaPeriod: "day" }],
        }),
      );
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: "license.updated", licenseId: id });
      expect(events[0]?.data.changes).toEqual({
        entitlements: {
          from: [{ code: "export-pdf", quota: null, quotaPeriod: "total" }],
          to: [{ code: "api-calls", quota: 10, quotaPeriod: "day" }],
        },
      });
    });

    it("suspend ends the sessions: license.suspended, then session.ended per session, consecutive", async () => {
      const l = await license({ seatLimit: 3 });
      const a = await activateSession(client, { licenseKey: l.key, client: info("sus-a") });
      db.clock.advance(1000);
      const b = await activateSession(client, { licenseKey: l.key, client: info("sus-b") });
      const events = await during(() => suspendLicense(db.ctx(), { id: l.id, reason: "unpaid" }));
      expect(types(events)).toEqual(["license.suspended", "session.ended", "session.ended"]);
      expect(events[0]?.data).toMatchObject({ license: { id: l.id, status: "suspended" }, reason: "unpaid" });
      expect(events.slice(1).map((e) => (e.data.session as { id: string }).id)).toEqual([
        a.sessionId,
        b.sessionId,
      ]);
      for (const e of events.slice(1)) {
        expect(e).toMatchObject({ licenseId: l.id, groupId: world.groupA.id });
        expect(e.data).toMatchObject({
          reason: "license_suspended",
          license: { status: "suspended" },
          session: {
            hostname: "host-e",
            clientVersion: "2.1.0",
          },
        });
        expect((e.data.session as { endedAt: string }).endedAt).toBe(db.clock.now().toISOString());
      }
      expect(events.slice(1).map((e) => (e.data.session as { fingerprint: string }).fingerprint)).toEqual([
        "sus-a",
        "sus-b",
      ]);

      const [reinstated, ...none] = await during(() => reinstateLicense(db.ctx(), { id: l.id }));
      expect(none).toEqual([]);
      expect(reinstated).toMatchObject({
        type: "license.reinstated",
        data: { license: { status: "active" }, reason: null },
      });
      // refused: already active (a DomainError inside the mutation): nothing
      expect(
        await during(() =>
          expectDomainError(reinstateLicense(db.ctx(), { id: l.id }), "FAILED_PRECONDITION"),
        ),
      ).toEqual([]);

      await activateSession(client, { licenseKey: l.key, client: info("sus-c") });
      const revoked = await during(() => revokeLicense(db.ctx(), { id: l.id, reason: "fraud" }));
      expect(types(revoked)).toEqual(["license.revoked", "session.ended"]);
      expect(revoked[0]?.data).toMatchObject({ license: { status: "revoked" }, reason: "fraud" });
      expect(revoked[1]?.data).toMatchObject({
        reason: "license_revoked",
        session: { fingerprint: "sus-c" },
      });
    });

    it("license.renewed carries the previous expiry; renewing to the same expiry sends nothing", async () => {
      const expiresAt = new Date(db.clock.now().getTime() + 10 * 86_400_000);
      const { id } = await license({ expiresAt });
      const [renewed, ...rest] = await during(() => renewLicense(db.ctx(), { id, extendDays: 30 }));
      expect(rest).toEqual([]);
      const next = new Date(expiresAt.getTime() + 30 * 86_400_000);
      expect(renewed).toMatchObject({
        type: "license.renewed",
        licenseId: id,
        data: { license: { id, expiresAt: next.toISOString() }, previousExpiresAt: expiresAt.toISOString() },
      });
      expect(await during(() => renewLicense(db.ctx(), { id, expiresAt: next }))).toEqual([]);
    });
  });

  describe("sessions and seats", () => {
    it("session.started; license.seat_limit_reached once when the last seat is taken, not on refusals", async () => {
      const l = await license({ seatLimit: 2 });
      const first = await during(() =>
        activateSession(client, { licenseKey: l.key, client: info("seat-1") }),
      );
      expect(types(first)).toEqual(["session.started"]);
      expect(first[0]).toMatchObject({
        licenseId: l.id,
        groupId: world.groupA.id,
        data: {
          license: { id: l.id, key: l.key },
          session: { fingerprint: "seat-1", hostname: "host-e", clientVersion: "2.1.0" },
        },
      });
      expect(first[0]?.data.session).not.toHaveProperty("endedAt");
      // resuming the machine's own session takes no seat: nothing
      expect(
        await during(() => activateSession(client, { licenseKey: l.key, client: info("seat-1") })),
      ).toEqual([]);
      const second = await during(() =>
        activateSession(client, { licenseKey: l.key, client: info("seat-2") }),
      );
      expect(types(second)).toEqual(["session.started", "license.seat_limit_reached"]);
      expect(second[1]?.data).toMatchObject({
        seatLimit: 2,
        seatsUsed: 2,
        by: "session",
        license: { id: l.id },
      });
      // refused: nothing written
      const refused = await during(async () => {
        const answer = await activateSession(client, { licenseKey: l.key, client: info("seat-3") });
        expect(answer.status).toBe("SEAT_LIMIT_REACHED");
      });
      expect(refused).toEqual([]);

      // a deactivation frees a seat (session.ended, reason deactivated); taking it again is a new crossing
      const s2 = second[0]?.data.session as { id: string };
      const ended = await during(() =>
        deactivateSession(client, { licenseKey: l.key, client: info("seat-2"), sessionId: s2.id }),
      );
      expect(types(ended)).toEqual(["session.ended"]);
      expect(ended[0]?.data).toMatchObject({
        reason: "deactivated",
        session: { id: s2.id, fingerprint: "seat-2" },
      });
      const again = await during(() =>
        activateSession(client, { licenseKey: l.key, client: info("seat-4") }),
      );
      expect(types(again)).toEqual(["session.started", "license.seat_limit_reached"]);
    });

    it("with overage, seats beyond the limit do not send license.seat_limit_reached again", async () => {
      const l = await license({ seatLimit: 2, overage: "x2" });
      const all: EventRow[] = [];
      for (const fp of ["ov-1", "ov-2", "ov-3", "ov-4"]) {
        all.push(...(await during(() => activateSession(client, { licenseKey: l.key, client: info(fp) }))));
      }
      expect(types(all).filter((t) => t === "license.seat_limit_reached")).toHaveLength(1);
      expect(types(all).filter((t) => t === "session.started")).toHaveLength(4);
    });

    it("an admin ending a session: session.ended (admin); the reaper: session.reaped (heartbeat_dead)", async () => {
      const l = await license({ seatLimit: 3, heartbeatIntervalSeconds: 60 });
      const a = await activateSession(client, { licenseKey: l.key, client: info("end-a") });
      await activateSession(client, { licenseKey: l.key, client: info("end-b") });
      const byAdmin = await during(() => endSession(db.ctx(), { id: a.sessionId ?? "", reason: "needed" }));
      expect(types(byAdmin)).toEqual(["session.ended"]);
      expect(byAdmin[0]?.data).toMatchObject({ reason: "admin", session: { id: a.sessionId } });

      db.clock.advance((60 + TOLERANCE_SECONDS + 5) * 1000);
      const reaped = await during(() => reapDeadSessions(db.ctx(), TOLERANCE_SECONDS));
      const mine = reaped.filter((e) => e.licenseId === l.id);
      expect(types(mine)).toEqual(["session.reaped"]);
      expect(mine[0]?.data).toMatchObject({
        reason: "heartbeat_dead",
        license: { id: l.id },
        session: { fingerprint: "end-b", endedAt: db.clock.now().toISOString() },
      });
      for (const e of reaped) expect(e.type).toBe("session.reaped");
    });

    it("node-locked: machine.bound, seat_limit_reached by machine at the last one, machine.released", async () => {
      const l = await license({ type: "node_locked", seatLimit: 2 });
      const one = await during(() => validateLicense(client, { licenseKey: l.key, client: info("mach-1") }));
      expect(types(one)).toEqual(["machine.bound"]);
      expect(one[0]).toMatchObject({
        licenseId: l.id,
        groupId: world.groupA.id,
        data: { license: { id: l.id }, machine: { fingerprint: "mach-1", hostname: "host-e" } },
      });
      // validating again on a bound machine: nothing
      expect(
        await during(() => validateLicense(client, { licenseKey: l.key, client: info("mach-1") })),
      ).toEqual([]);
      const two = await during(() => activateSession(client, { licenseKey: l.key, client: info("mach-2") }));
      expect(types(two)).toEqual(["machine.bound", "license.seat_limit_reached", "session.started"]);
      expect(two[1]?.data).toMatchObject({ by: "machine", seatLimit: 2, seatsUsed: 2 });
      // a third machine is refused: nothing
      expect(
        await during(() => validateLicense(client, { licenseKey: l.key, client: info("mach-3") })),
      ).toEqual([]);

      const machine = two[0]?.data.machine as { id: string };
      const released = await during(() => releaseMachine(db.ctx(), { id: machine.id }));
      expect(types(released)).toEqual(["session.ended", "machine.released"]);
      expect(released[1]?.data).toMatchObject({ machine: { id: machine.id, fingerprint: "mach-2" } });
      expect(released[0]?.data).toMatchObject({ reason: "admin", session: { fingerprint: "mach-2" } });
    });
  });

  describe("usage", () => {
    it("usage.quota_reached when a record reaches the quota, once; replays and records below send nothing", async () => {
      const l = await license({ entitlements: [{ featureId: world.features.apiCalls.id, quota: 10 }] });
      const record = (amount: number, idempotencyKey: string) =>
        recordUsage(client, {
          licenseKey: l.key,
          client: info("use-1"),
          featureCode: "api-calls",
          amount,
          idempotencyKey,
        });
      expect(await during(() => record(6, "secret-idem-1"))).toEqual([]);
      const reached = await during(() => record(4, "secret-idem-2"));
      expect(types(reached)).toEqual(["usage.quota_reached"]);
      expect(reached[0]).toMatchObject({
        licenseId: l.id,
        data: {
          license: { id: l.id },
          feature: { id: world.features.apiCalls.id, code: "api-calls", name: "API calls" },
          quota: 10,
          used: 10,
          period: "total",
        },
      });
      expect(reached[0]?.raw).not.toContain("secret-idem");
      // the replay answers the first answer and sends nothing; over the quota is refused: nothing
      expect(await during(() => record(4, "secret-idem-2"))).toEqual([]);
      expect(await during(() => record(1, "secret-idem-3"))).toEqual([]);
    });
  });

  describe("trials", () => {
    it("trial.started with license.created (and the machine); trial.converted by an admin and by a key entered", async () => {
      const t = await makeTrialProduct(db);
      const trialClient = (fp: string) => ({
        ...info(fp, t.product.code),
        components: components({ board: "secret-board-hash" }),
      });
      const fp = fingerprint();
      const started = await during(() => startTrial(client, { client: trialClient(fp) }));
      expect(types(started)).toEqual(["license.created", "machine.bound", "trial.started"]);
      const trialLicenseId = started[0]?.licenseId ?? "";
      for (const e of started) expect(e).toMatchObject({ licenseId: trialLicenseId, groupId: t.group.id });
      expect(started[2]?.data).toMatchObject({
        trial: { productId: t.product.id, policyId: t.policy.id, licenseId: trialLicenseId, fingerprint: fp },
        license: { id: trialLicenseId, trial: true },
      });
      expect(started[2]?.raw).not.toContain("secret-board-hash");
      const trialId = (started[2]?.data.trial as { id: string }).id;

      // an admin converts it: the license moves to the paying customer (group B)
      const paying = await makeCustomer(db, world.groupB.id);
      const converted = await during(() =>
        convertTrial(db.ctx(), { trialId, customerId: paying.id, policyId: t.standard.id }),
      );
      expect(types(converted)).toEqual(["trial.converted"]);
      expect(converted[0]).toMatchObject({
        licenseId: trialLicenseId,
        groupId: world.groupB.id,
        data: {
          by: "admin",
          trial: { id: trialId, convertedBy: "admin" },
          license: { id: trialLicenseId, trial: false, customer: { id: paying.id } },
        },
      });
      expect(await deliveredTo(converted[0]?.id ?? "")).toEqual(sorted(endpoint.all, endpoint.groupB));

      // another machine's trial, converted by a paid key entered on that machine
      const fp2 = fingerprint();
      const second = await during(() => startTrial(client, { client: trialClient(fp2) }));
      const secondTrialId = (second[2]?.data.trial as { id: string }).id;
      const paid = await makeLicense(db, world.customer.id, t.product.id, { seatLimit: 2 });
      const entered = await during(() =>
        activateSession(client, { licenseKey: paid.key, client: trialClient(fp2) }),
      );
      expect(types(entered)).toEqual(["trial.converted", "session.started"]);
      expect(entered[0]).toMatchObject({
        licenseId: paid.id,
        groupId: world.groupA.id,
        data: {
          by: "key_entered",
          trial: { id: secondTrialId, convertedLicenseId: paid.id },
          license: { id: paid.id },
        },
      });
    });
  });

  describe("offline files", () => {
    it("offline_file.issued with the file's id, kid, machine, expiry and hash", async () => {
      const l = await license({ offlineAllowanceDays: 30 });
      const events = await during(() =>
        checkoutLicenseFile(db.ctx(), { id: l.id, fingerprint: "off-1", days: 7 }),
      );
      expect(types(events)).toEqual(["offline_file.issued"]);
      const issuance = await db.handle.db.offlineIssuance.findFirstOrThrow({
        where: { licenseId: l.id },
        select: { id: true, kid: true, sha256: true, expiresAt: true },
      });
      expect(events[0]).toMatchObject({
        licenseId: l.id,
        groupId: world.groupA.id,
        data: {
          license: { id: l.id },
          file: {
            id: issuance.id,
            kid: issuance.kid,
            fingerprint: "off-1",
            encrypted: false,
            sha256: issuance.sha256,
            expiresAt: issuance.expiresAt.toISOString(),
            issuedAt: db.clock.now().toISOString(),
          },
        },
      });
    });
  });

  describe("policies", () => {
    it("policy.created/updated/archived are catalogue-wide: no group, not for group-scoped endpoints", async () => {
      let policyId = "";
      const created = await during(async () => {
        policyId = (
          await createPolicy(db.ctx(), {
            productId: world.product.id,
            name: unique("events"),
            seatLimit: 2,
            entitlements: [{ featureId: world.features.exportPdf.id }],
          })
        ).id;
      });
      expect(types(created)).toEqual(["policy.created"]);
      expect(created[0]).toMatchObject({
        licenseId: null,
        groupId: null,
        data: {
          policy: {
            id: policyId,
            productId: world.product.id,
            seatLimit: 2,
            entitlements: [{ code: "export-pdf", quota: null, quotaPeriod: "total" }],
          },
        },
      });
      expect(created[0]?.data.policy).not.toHaveProperty("licenseCount");
      expect(await deliveredTo(created[0]?.id ?? "")).toEqual([endpoint.all]);

      // two licenses follow it: one policy.updated with the count, no license.updated each
      const p = await createPolicy(db.ctx(), {
        productId: world.product.id,
        name: unique("follow"),
        seatLimit: 1,
      });
      await issueLicenses(db.ctx(), { customerId: world.customer.id, policyId: p.id, count: 2 });
      const updated = await during(() => updatePolicy(db.ctx(), { id: p.id, seatLimit: 4 }));
      expect(types(updated)).toEqual(["policy.updated"]);
      expect(updated[0]).toMatchObject({
        groupId: null,
        data: {
          policy: { id: p.id, seatLimit: 4 },
          changes: { seatLimit: { from: 1, to: 4 } },
          licensesUpdated: 2,
        },
      });

      const archived = await during(() => archivePolicy(db.ctx(), { id: policyId, archived: true }));
      expect(types(archived)).toEqual(["policy.archived"]);
      expect(archived[0]).toMatchObject({ groupId: null, data: { policy: { id: policyId } } });
      expect((archived[0]?.data.policy as { archivedAt: string }).archivedAt).toBe(
        db.clock.now().toISOString(),
      );
      expect(await deliveredTo(archived[0]?.id ?? "")).toEqual([endpoint.all]);
      // archiving again changes nothing: nothing; a restore is a policy.updated
      expect(await during(() => archivePolicy(db.ctx(), { id: policyId, archived: true }))).toEqual([]);
      const restored = await during(() => archivePolicy(db.ctx(), { id: policyId, archived: false }));
      expect(types(restored)).toEqual(["policy.updated"]);
      expect(restored[0]?.data.changes).toMatchObject({ archivedAt: { to: null } });
    });
  });

  describe("all or nothing", () => {
    it("a change that fails after emitting leaves no event and no delivery", async () => {
      const counts = async () => ({
        events: await db.handle.db.event.count(),
        deliveries: await db.handle.db.webhookDelivery.count(),
        seq: await lastSeq(),
      });
      const before = await counts();
      // a DomainError thrown inside the mutation, after the emit
      await expectDomainError(
        mutate(db.ctx(), async ({ emit }) => {
          emit({ type: "license.updated", licenseId: world.license.id, data: { changes: {} } });
          await Promise.resolve();
          throw failedPrecondition("changed my mind");
        }),
        "FAILED_PRECONDITION",
      );
      expect(await counts()).toEqual(before);
      // a unique violation after the emit (a second product with a taken code)
      await expectDomainError(
        mutate(db.ctx(), async ({ tx, emit }) => {
          emit({ type: "license.updated", licenseId: world.license.id, data: { changes: {} } });
          await tx.product.create({ data: { code: world.product.code, name: "dup" }, select: { id: true } });
        }),
        "CONFLICT",
      );
      expect(await counts()).toEqual(before);
      // a real operation refused inside its mutation
      await expectDomainError(
        setEntitlements(db.ctx(), { id: world.license.id, entitlements: [{ featureId: "no-such-feature" }] }),
        "INVALID_ARGUMENT",
      );
      expect(await counts()).toEqual(before);
      // the next change that succeeds takes the next position: no gap where the failures were
      const [next] = await during(() => updateLicense(db.ctx(), { id: world.license.id, seatLimit: 7 }));
      expect(next?.seq).toBe(before.seq + 1);
      expect(await db.handle.db.webhookDelivery.count()).toBe(before.deliveries + 2);
    });

    it("the disabled endpoint never got a delivery; every event of the file is in one gap-free sequence", async () => {
      expect(await db.handle.db.webhookDelivery.count({ where: { endpointId: endpoint.disabled } })).toBe(0);
      const seqs = (
        await db.handle.db.event.findMany({ orderBy: { seq: "asc" }, select: { seq: true } })
      ).map((e) => e.seq);
      expect(seqs.length).toBeGreaterThan(20);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      // group B's endpoint got only group B's events
      const groupB = await db.handle.db.webhookDelivery.findMany({
        where: { endpointId: endpoint.groupB },
        select: { event: { select: { groupId: true } } },
      });
      expect(groupB.length).toBeGreaterThan(0);
      for (const d of groupB) expect(d.event.groupId).toBe(world.groupB.id);
      // the license.created-only endpoint: only license.created
      const only = await db.handle.db.webhookDelivery.findMany({
        where: { endpointId: endpoint.createdOnly },
        select: { event: { select: { type: true } } },
      });
      expect(new Set(only.map((d) => d.event.type))).toEqual(new Set(["license.created"]));
    });
  });

  describe("delivered", () => {
    it("every type of the catalogue reaches a real receiver, signed so that standardwebhooks verifies it, as written", async () => {
      const DAY = 86_400_000;
      // the types only the expiry scan and the console send: an expiring license, an expired trial
      await license({ expiresAt: new Date(db.clock.now().getTime() + 10 * DAY) });
      const t = await makeTrialProduct(db, { durationDays: 1 });
      await startTrial(client, {
        client: {
          productCode: t.product.code,
          fingerprint: fingerprint(),
          hostname: "h",
          clientVersion: "1.0.0",
        },
      });
      await scanExpiries(db.ctx());
      db.clock.advance(DAY + 3_600_000);
      await scanExpiries(db.ctx());
      await sendWebhookTestEvent(db.ctx(), { endpointId: endpoint.all });

      // the endpoint that wants everything now points at the receiver, with a secret it knows
      const receiver = await new WebhookReceiver().start();
      const secret = newWebhookSecret();
      receiver.secrets = [secret];
      await db.handle.db.webhookEndpoint.update({
        where: { id: endpoint.all },
        data: { url: `${receiver.url}/all`, secretEnc: sealWebhookSecret(db.ctx().encryptionKey, secret) },
      });
      const others = [endpoint.groupA, endpoint.groupB, endpoint.createdOnly];
      await db.handle.db.webhookEndpoint.updateMany({
        where: { id: { in: others } },
        data: { enabled: false, disabledReason: "admin" },
      });
      // due now by the wall clock the worker runs on (the test clock has moved on)
      await db.handle.db.webhookDelivery.updateMany({
        where: { endpointId: endpoint.all },
        data: { nextAttemptAt: new Date(Date.now() - 1000) },
      });
      const worker = startWebhookWorker({
        database: db.handle,
        config: {
          allowPrivateTargets: true,
          timeoutMs: 5000,
          concurrency: 8,
          retryBaseMs: 60_000,
          disableAfterMs: 72 * 3_600_000,
        },
        encryptionKey: db.ctx().encryptionKey,
        logger: createLogger({ level: "silent" }),
        clock: systemClock,
        pollIntervalMs: 0,
      });
      try {
        for (let round = 0; round < 100 && (await worker.runOnce()) > 0; round++);
      } finally {
        await worker.stop();
        await receiver.stop();
      }

      const rows = await db.handle.db.webhookDelivery.findMany({
        where: { endpointId: endpoint.all },
        select: {
          status: true,
          attempts: true,
          event: { select: { id: true, type: true, version: true, seq: true, data: true } },
        },
      });
      expect(rows.filter((r) => r.status !== "succeeded" || r.attempts !== 1)).toEqual([]);
      expect(receiver.received).toHaveLength(rows.length);
      const written = new Map(rows.map((r) => [r.event.id, r.event]));
      for (const got of receiver.received) {
        expect(got.verifiedWith, `${got.id} verifies`).toEqual([0]);
        const event = written.get(got.id);
        // the body is the event as written: id, type, version, sequence and data
        expect(got.event).toMatchObject({
          id: event?.id,
          type: event?.type,
          version: event?.version,
          sequence: event?.seq,
          data: JSON.parse(event?.data ?? "null") as unknown,
        });
      }
      const delivered = new Set(receiver.received.map((got) => got.event?.type));
      expect(EVENT_TYPES.filter((type) => !delivered.has(type))).toEqual([]);
      expect(new Set(receiver.countsById().values())).toEqual(new Set([1]));
    });
  });
});

describe("docs/events.md", () => {
  const doc = readFileSync(new URL("../../docs/events.md", import.meta.url), "utf8");
  const headings = [...doc.matchAll(/^### `([a-z_.]+)` \(version (\d+)\)$/gm)].map((m) => [
    m[1],
    Number(m[2]),
  ]);

  it("documents every type of the catalogue with its version, and no other", () => {
    expect(headings).toEqual(EVENT_TYPES.map((type) => [type, EVENT_CATALOG[type].version]));
  });

  it("gives a payload example under each type", () => {
    for (const type of EVENT_TYPES) {
      const start = doc.indexOf(`### \`${type}\``);
      const next = doc.indexOf("\n## ", start);
      const nextType = doc.indexOf("\n### ", start + 1);
      const end = Math.min(...[next, nextType].filter((i) => i > 0), doc.length);
      expect(doc.slice(start, end), type).toContain("```json");
    }
  });
});
