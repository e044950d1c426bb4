// The licensing API end to end: a real gRPC server on a loopback port and the REST twin, on
// SQLite and PostgreSQL. Every status code, seats under concurrency (also two instances), the
// reaper, usage idempotency and quotas, bad input, rate limits, grace tokens.
import { createPublicKey } from "node:crypto";
import { decodeJwt, jwtVerify } from "jose";
import { Status } from "nice-grpc";
import { BadRequest, RetryInfo, RichClientError } from "nice-grpc-error-details";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyGraceToken } from "../../sdk/src/index.ts";
import { QuotaPeriod, StatusCode, type ClientInfo } from "../../src/generated/proto/license/v1/license.ts";
import { revokeLicense } from "../../src/server/core/licenses/revoke-license.ts";
import { suspendLicense } from "../../src/server/core/licenses/suspend-license.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { openDatabase } from "../../src/server/db/client.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeCustomer, makeGroup, makeLicense, makeProduct } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";

const SECOND = 1000;

/** Row counts and session state: what a refused or bad call must leave as it was. */
async function snapshot(db: TestDb) {
  const d = db.handle.db;
  return {
    sessions: await d.session.findMany({
      orderBy: { id: "asc" },
      select: { id: true, endedAt: true, deadlineAt: true, lastHeartbeatAt: true },
    }),
    usage: await d.usageRecord.count(),
    machines: await d.machineBinding.count(),
    audit: await d.auditEvent.count(),
    licenses: await d.license.findMany({ orderBy: { id: "asc" }, select: { id: true, updatedAt: true } }),
  };
}

function statusName(code: StatusCode): string {
  return StatusCode[code].replace("STATUS_CODE_", "");
}

describeEachDb("licensing API", (getDb) => {
  let db: TestDb;
  let server: LicensingServer;
  let world: Awaited<ReturnType<typeof setup>>;

  async function setup() {
    const group = await makeGroup(db);
    const { product, features } = await makeProduct(db);
    const customer = await makeCustomer(db, group.id);
    const license = (extra: Parameters<typeof makeLicense>[3] = {}) =>
      makeLicense(db, customer.id, product.id, {
        seatLimit: 2,
        heartbeatIntervalSeconds: 60,
        entitlements: [{ featureId: features.exportPdf.id }, { featureId: features.apiCalls.id, quota: 10 }],
        ...extra,
      });
    return { product, features, customer, license };
  }

  const clientFor = (fp: string, productCode = world.product.code): ClientInfo => ({
    productCode,
    fingerprint: fp,
    clientVersion: "1.2.3",
    hostname: "build-host",
    components: [],
  });

  beforeAll(async () => {
    db = getDb();
    server = await startLicensingServer(db);
    world = await setup();
  });
  afterAll(async () => {
    await server.close();
  });

  describe("every status code, the same on gRPC and on the REST twin", () => {
    /** Runs a Validate both ways and returns the two status names. */
    async function validateBoth(licenseKey: string, client: ClientInfo) {
      const grpc = await server.client.validate({ licenseKey, client });
      const response = await server.rest("validate", { licenseKey, client });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { status: string; message: string };
      return {
        grpc: statusName(grpc.status),
        rest: body.status.replace("STATUS_CODE_", ""),
        grpcResponse: grpc,
      };
    }

    it("VALID on a floating license grants no offline running: no grace token without a seat", async () => {
      const license = await world.license();
      const both = await validateBoth(license.key, clientFor(fingerprint()));
      expect(both).toMatchObject({ grpc: "VALID", rest: "VALID" });
      expect(both.grpcResponse.graceToken).toBe("");
      expect(both.grpcResponse.graceTokenExpiresAt).toBeUndefined();
      const rest = await server.rest("validate", {
        licenseKey: license.key,
        client: clientFor(fingerprint()),
      });
      const body = (await rest.json()) as { graceToken?: string };
      expect(body.graceToken ?? "").toBe("");
      // the token comes with a seat: Activate's is tied to its session and lasts the grace period (1 h)
      const seat = await server.client.activate({
        licenseKey: license.key,
        client: clientFor(fingerprint()),
      });
      const claims = decodeJwt(seat.graceToken);
      expect(claims.sid).toBe(seat.sessionId);
      expect(claims.exp).toBe(Math.floor(db.clock.now().getTime() / 1000) + 3600);
    });

    it("VALID, with license terms, entitlements and a grace token jose verifies (node-locked)", async () => {
      const license = await world.license({ type: "node_locked" });
      const fp = fingerprint();
      const both = await validateBoth(license.key, clientFor(fp));
      expect(both).toMatchObject({ grpc: "VALID", rest: "VALID" });
      const res = both.grpcResponse;
      expect(res.license).toMatchObject({
        licenseId: license.id,
        seatLimit: 2,
        heartbeatIntervalSeconds: 60,
      });
      expect(res.entitlements.map((e) => e.featureCode)).toEqual(["api-calls", "export-pdf"]);
      expect(res.entitlements[0]).toMatchObject({
        quota: 10,
        quotaPeriod: QuotaPeriod.QUOTA_PERIOD_TOTAL,
        used: 0,
      });
      expect(res.serverTime?.getTime()).toBe(db.clock.now().getTime());

      const keyring = await publicKeyring(db.handle.db);
      const header = JSON.parse(Buffer.from(res.graceToken.split(".")[0] ?? "", "base64url").toString()) as {
        kid: string;
      };
      const pem = keyring.find((k) => k.kid === header.kid)?.publicKeyPem ?? "";
      const { payload } = await jwtVerify(res.graceToken, createPublicKey(pem), {
        currentDate: db.clock.now(),
      });
      expect(payload).toMatchObject({ sub: license.id, fp, prd: world.product.code });
      expect(payload.exp).toBe(Math.floor(db.clock.now().getTime() / 1000) + 72 * 3600);
      expect(res.graceTokenExpiresAt?.getTime()).toBe((payload.exp ?? 0) * 1000);
      const sdk = await verifyGraceToken(res.graceToken, keyring, {
        fingerprint: fp,
        licenseKey: license.key,
        now: db.clock.now(),
      });
      expect(sdk.valid).toBe(true);
    });

    it("accepts the key as a person types it (case, no dashes, O for 0)", async () => {
      const license = await world.license();
      const typed = license.key.toLowerCase().replace(/-/g, "").replace(/0/g, "o");
      const res = await server.client.validate({ licenseKey: typed, client: clientFor(fingerprint()) });
      expect(statusName(res.status)).toBe("VALID");
    });

    it("NOT_FOUND for a well-formed key nobody issued, without license details", async () => {
      const both = await validateBoth("00000-00000-00000-00000-00000", clientFor(fingerprint()));
      expect(both).toMatchObject({ grpc: "NOT_FOUND", rest: "NOT_FOUND" });
      expect(both.grpcResponse.license).toBeUndefined();
      expect(both.grpcResponse.graceToken).toBe("");
    });

    it("PRODUCT_MISMATCH for another product's code", async () => {
      const license = await world.license();
      const both = await validateBoth(license.key, clientFor(fingerprint(), "some-other-product"));
      expect(both).toMatchObject({ grpc: "PRODUCT_MISMATCH", rest: "PRODUCT_MISMATCH" });
      expect(both.grpcResponse.license).toBeUndefined();
    });

    it("EXPIRED past the expiry, SUSPENDED and REVOKED after the admin acts, NOT_YET_VALID before the start", async () => {
      const now = db.clock.now().getTime();
      const expiring = await world.license({ expiresAt: new Date(now + 3600 * SECOND) });
      await db.handle.db.license.update({
        where: { id: expiring.id },
        data: { expiresAt: new Date(now - SECOND) },
      });
      expect(await validateBoth(expiring.key, clientFor(fingerprint()))).toMatchObject({
        grpc: "EXPIRED",
        rest: "EXPIRED",
      });

      const suspended = await world.license();
      await suspendLicense(db.ctx(), { id: suspended.id });
      expect(await validateBoth(suspended.key, clientFor(fingerprint()))).toMatchObject({
        grpc: "SUSPENDED",
        rest: "SUSPENDED",
      });

      const revoked = await world.license();
      await revokeLicense(db.ctx(), { id: revoked.id });
      const both = await validateBoth(revoked.key, clientFor(fingerprint()));
      expect(both).toMatchObject({ grpc: "REVOKED", rest: "REVOKED" });
      expect(both.grpcResponse.graceToken).toBe("");

      const future = await world.license({ startsAt: new Date(now + 86_400 * SECOND) });
      expect(await validateBoth(future.key, clientFor(fingerprint()))).toMatchObject({
        grpc: "NOT_YET_VALID",
        rest: "NOT_YET_VALID",
      });
    });

    it("FINGERPRINT_MISMATCH when a node-locked license's machines are all bound", async () => {
      const license = await world.license({ type: "node_locked", seatLimit: 1 });
      const [a, b] = [fingerprint(), fingerprint()];
      expect(await validateBoth(license.key, clientFor(a))).toMatchObject({ grpc: "VALID", rest: "VALID" });
      expect(await validateBoth(license.key, clientFor(b))).toMatchObject({
        grpc: "FINGERPRINT_MISMATCH",
        rest: "FINGERPRINT_MISMATCH",
      });
      const machines = await db.handle.db.machineBinding.findMany({
        where: { licenseId: license.id },
        select: { fingerprint: true },
      });
      expect(machines).toEqual([{ fingerprint: a }]);
      // the bound machine can still activate; the other cannot
      const activated = await server.client.activate({ licenseKey: license.key, client: clientFor(a) });
      expect(statusName(activated.status)).toBe("VALID");
      const refused = await server.client.activate({ licenseKey: license.key, client: clientFor(b) });
      expect(statusName(refused.status)).toBe("FINGERPRINT_MISMATCH");
    });

    it("SEAT_LIMIT_REACHED when every seat of a floating license is taken", async () => {
      const license = await world.license({ seatLimit: 1 });
      const first = await server.client.activate({
        licenseKey: license.key,
        client: clientFor(fingerprint()),
      });
      expect(statusName(first.status)).toBe("VALID");
      const grpc = await server.client.activate({
        licenseKey: license.key,
        client: clientFor(fingerprint()),
      });
      expect(statusName(grpc.status)).toBe("SEAT_LIMIT_REACHED");
      const rest = await server.rest("activate", {
        licenseKey: license.key,
        client: clientFor(fingerprint()),
      });
      expect(((await rest.json()) as { status: string }).status).toBe("STATUS_CODE_SEAT_LIMIT_REACHED");
    });

    it("SESSION_NOT_FOUND for an unknown session, another license's or a deactivated one", async () => {
      const license = await world.license();
      const other = await world.license();
      const fp = fingerprint();
      const session = await server.client.activate({ licenseKey: other.key, client: clientFor(fp) });
      for (const sessionId of ["no-such-session", session.sessionId]) {
        const grpc = await server.client.heartbeat({
          licenseKey: license.key,
          sessionId,
          client: clientFor(fp),
        });
        expect(statusName(grpc.status)).toBe("SESSION_NOT_FOUND");
        const rest = await server.rest("heartbeat", {
          licenseKey: license.key,
          sessionId,
          client: clientFor(fp),
        });
        expect(((await rest.json()) as { status: string }).status).toBe("STATUS_CODE_SESSION_NOT_FOUND");
      }
      await server.client.deactivate({
        licenseKey: other.key,
        sessionId: session.sessionId,
        client: clientFor(fp),
      });
      const after = await server.client.heartbeat({
        licenseKey: other.key,
        sessionId: session.sessionId,
        client: clientFor(fp),
      });
      expect(statusName(after.status)).toBe("SESSION_NOT_FOUND");
      expect(after.message).toContain("deactivated");
    });

    it("HEARTBEAT_DEAD for a heartbeat after the deadline and the tolerance", async () => {
      const license = await world.license();
      const fp = fingerprint();
      const session = await server.client.activate({ licenseKey: license.key, client: clientFor(fp) });
      db.clock.advance((60 + 61) * SECOND);
      try {
        const late = await server.client.heartbeat({
          licenseKey: license.key,
          sessionId: session.sessionId,
          client: clientFor(fp),
        });
        expect(statusName(late.status)).toBe("HEARTBEAT_DEAD");
        const rest = await server.rest("heartbeat", {
          licenseKey: license.key,
          sessionId: session.sessionId,
          client: clientFor(fp),
        });
        expect(((await rest.json()) as { status: string }).status).toBe("STATUS_CODE_HEARTBEAT_DEAD");
        const row = await db.handle.db.session.findUniqueOrThrow({
          where: { id: session.sessionId },
          select: { endedAt: true, endReason: true },
        });
        expect(row.endReason).toBe("heartbeat_dead");
      } finally {
        db.clock.advance(-(60 + 61) * SECOND);
      }
    });

    it("FEATURE_NOT_ENTITLED and QUOTA_EXCEEDED on usage", async () => {
      const license = await world.license({
        entitlements: [{ featureId: world.features.apiCalls.id, quota: 5 }],
      });
      const client = clientFor(fingerprint());
      const pdf = await server.client.recordUsage({
        licenseKey: license.key,
        client,
        featureCode: "export-pdf",
        amount: 1,
        idempotencyKey: "k-1",
        sessionId: "",
      });
      expect(statusName(pdf.status)).toBe("FEATURE_NOT_ENTITLED");
      const four = await server.client.recordUsage({
        licenseKey: license.key,
        client,
        featureCode: "api-calls",
        amount: 4,
        idempotencyKey: "k-2",
        sessionId: "",
      });
      expect(four).toMatchObject({ status: StatusCode.STATUS_CODE_VALID, used: 4, quota: 5 });
      const over = await server.rest("record-usage", {
        licenseKey: license.key,
        client,
        featureCode: "api-calls",
        amount: 2,
        idempotencyKey: "k-3",
      });
      expect(await over.json()).toMatchObject({ status: "STATUS_CODE_QUOTA_EXCEEDED", used: 4, quota: 5 });
      expect(await db.handle.db.usageRecord.count({ where: { licenseId: license.id } })).toBe(1);
    });
  });

  describe("sessions", () => {
    it("the same machine gets its open session back instead of a second seat", async () => {
      const license = await world.license();
      const fp = fingerprint();
      const first = await server.client.activate({ licenseKey: license.key, client: clientFor(fp) });
      const again = await server.client.activate({ licenseKey: license.key, client: clientFor(fp) });
      expect(first).toMatchObject({ status: StatusCode.STATUS_CODE_VALID, resumed: false });
      expect(again).toMatchObject({
        status: StatusCode.STATUS_CODE_VALID,
        resumed: true,
        sessionId: first.sessionId,
      });
      expect(first.heartbeatIntervalSeconds).toBe(60);
      expect(await db.handle.db.session.count({ where: { licenseId: license.id, endedAt: null } })).toBe(1);
    });

    it("heartbeats extend the deadline; deactivation frees the seat at once; both ends are audited", async () => {
      const license = await world.license({ seatLimit: 1 });
      const fp = fingerprint();
      const session = await server.client.activate({ licenseKey: license.key, client: clientFor(fp) });
      db.clock.advance(30 * SECOND);
      const beat = await server.client.heartbeat({
        licenseKey: license.key,
        sessionId: session.sessionId,
        client: clientFor(fp),
      });
      expect(beat.heartbeatDeadline?.getTime()).toBe(db.clock.now().getTime() + 60 * SECOND);
      expect(beat.graceToken).not.toBe("");
      // heartbeats are buffered and written together: stored after the next flush
      const stored = () =>
        db.handle.db.session.findUniqueOrThrow({
          where: { id: session.sessionId },
          select: { deadlineAt: true, lastHeartbeatAt: true },
        });
      expect((await stored()).deadlineAt.getTime()).toBe(db.clock.now().getTime() + 30 * SECOND);
      await server.gateway.services.heartbeats.flush();
      expect(await stored()).toEqual({ deadlineAt: beat.heartbeatDeadline, lastHeartbeatAt: db.clock.now() });
      const wrongMachine = await server.client.heartbeat({
        licenseKey: license.key,
        sessionId: session.sessionId,
        client: clientFor(fingerprint()),
      });
      expect(statusName(wrongMachine.status)).toBe("FINGERPRINT_MISMATCH");

      const done = await server.client.deactivate({
        licenseKey: license.key,
        sessionId: session.sessionId,
        client: clientFor(fp),
      });
      expect(statusName(done.status)).toBe("VALID");
      const twice = await server.client.deactivate({
        licenseKey: license.key,
        sessionId: session.sessionId,
        client: clientFor(fp),
      });
      expect(statusName(twice.status)).toBe("VALID");
      const next = await server.client.activate({
        licenseKey: license.key,
        client: clientFor(fingerprint()),
      });
      expect(statusName(next.status)).toBe("VALID");
      // a heartbeat still buffered for the ended session does not bring it back
      const later = new Date(db.clock.now().getTime() + 3_600_000);
      server.gateway.services.heartbeats.extend(session.sessionId, db.clock.now(), later);
      await server.gateway.services.heartbeats.flush();
      const ended = await db.handle.db.session.findUniqueOrThrow({
        where: { id: session.sessionId },
        select: { endReason: true },
      });
      expect(ended.endReason).toBe("deactivated");

      const events = await db.handle.db.auditEvent.findMany({
        where: { targetId: session.sessionId },
        orderBy: { seq: "asc" },
        select: { action: true, actorType: true, actorId: true, summary: true },
      });
      expect(events.map((e) => e.action)).toEqual(["session.start", "session.end"]);
      expect(events[0]).toMatchObject({ actorType: "client", actorId: license.id });
      expect(JSON.parse(events[1]?.summary ?? "{}")).toMatchObject({
        reason: "deactivated",
        fingerprint: fp,
      });
    });

    it("the reaper ends sessions past deadline + tolerance and, with no grace token to cover, frees their seats (injected clock)", async () => {
      // gracePeriodHours 0: no token outlives the session, so nothing holds the seat past the tolerance
      const license = await world.license({ seatLimit: 2, gracePeriodHours: 0 });
      const [a, b, c] = [fingerprint(), fingerprint(), fingerprint()];
      const sa = await server.client.activate({ licenseKey: license.key, client: clientFor(a) });
      const sb = await server.client.activate({ licenseKey: license.key, client: clientFor(b) });
      expect(
        statusName((await server.client.activate({ licenseKey: license.key, client: clientFor(c) })).status),
      ).toBe("SEAT_LIMIT_REACHED");
      const start = db.clock.now();
      try {
        db.clock.advance(50 * SECOND);
        await server.client.heartbeat({
          licenseKey: license.key,
          sessionId: sa.sessionId,
          client: clientFor(a),
        });
        db.clock.advance(60 * SECOND); // b's deadline (60 s) + tolerance (60 s) not yet passed
        await server.gateway.reap(); // (the reaper is global: other tests' sessions may go too)
        expect(await db.handle.db.session.count({ where: { licenseId: license.id, endedAt: null } })).toBe(2);
        db.clock.advance(20 * SECOND); // now 130 s: b is dead, a (deadline 110 s) is late but alive
        expect(await server.gateway.reap()).toBeGreaterThanOrEqual(1);
        const rows = await db.handle.db.session.findMany({
          where: { licenseId: license.id },
          select: { id: true, endedAt: true, endReason: true },
        });
        expect(rows.find((r) => r.id === sb.sessionId)).toMatchObject({ endReason: "heartbeat_dead" });
        expect(rows.find((r) => r.id === sa.sessionId)).toMatchObject({ endedAt: null });
        const audit = await db.handle.db.auditEvent.findFirst({
          where: { targetId: sb.sessionId, action: "session.end" },
          select: { actorType: true, summary: true },
        });
        expect(audit?.actorType).toBe("system");
        expect(JSON.parse(audit?.summary ?? "{}")).toMatchObject({ reason: "heartbeat_dead", reaped: true });

        const now = await server.client.activate({ licenseKey: license.key, client: clientFor(c) });
        expect(statusName(now.status)).toBe("VALID");
        const dead = await server.client.heartbeat({
          licenseKey: license.key,
          sessionId: sb.sessionId,
          client: clientFor(b),
        });
        expect(statusName(dead.status)).toBe("HEARTBEAT_DEAD");
      } finally {
        db.clock.set(start);
      }
    });

    it("a reaped session's grace token keeps its seat: another machine is refused until the hold ends (injected clock)", async () => {
      const license = await world.license({ seatLimit: 1 });
      const [a, b] = [fingerprint(), fingerprint()];
      const sa = await server.client.activate({ licenseKey: license.key, client: clientFor(a) });
      expect(statusName(sa.status)).toBe("VALID");
      const start = db.clock.now();
      try {
        db.clock.advance(121 * SECOND); // deadline (60 s) + tolerance (60 s) passed: a's network is cut
        expect(await server.gateway.reap()).toBeGreaterThanOrEqual(1);
        const refused = await server.client.activate({ licenseKey: license.key, client: clientFor(b) });
        expect(statusName(refused.status)).toBe("SEAT_LIMIT_REACHED");
        expect(refused.graceToken).toBe("");
        const rest = await server.rest("activate", { licenseKey: license.key, client: clientFor(b) });
        expect(((await rest.json()) as { status: string }).status).toMatch(/SEAT_LIMIT_REACHED/);
        const held = await db.handle.db.session.findUniqueOrThrow({
          where: { id: sa.sessionId },
          select: { endReason: true, graceUntil: true },
        });
        expect(held.endReason).toBe("heartbeat_dead");
        expect((held.graceUntil?.getTime() ?? 0) >= (sa.graceTokenExpiresAt?.getTime() ?? Infinity)).toBe(
          true,
        );
        db.clock.set(new Date((held.graceUntil?.getTime() ?? 0) + 1));
        const now = await server.client.activate({ licenseKey: license.key, client: clientFor(b) });
        expect(statusName(now.status)).toBe("VALID");
      } finally {
        db.clock.set(start);
      }
    });

    it("200 concurrent activations on a 10-seat floating license give exactly 10 sessions", async () => {
      const license = await world.license({ seatLimit: 10 });
      const answers = await Promise.all(
        Array.from({ length: 200 }, () =>
          server.client.activate({ licenseKey: license.key, client: clientFor(fingerprint()) }),
        ),
      );
      const counts = new Map<string, number>();
      for (const a of answers) counts.set(statusName(a.status), (counts.get(statusName(a.status)) ?? 0) + 1);
      expect(Object.fromEntries(counts)).toEqual({ VALID: 10, SEAT_LIMIT_REACHED: 190 });
      expect(await db.handle.db.session.count({ where: { licenseId: license.id, endedAt: null } })).toBe(10);
      expect(
        await db.handle.db.auditEvent.count({
          where: { action: "session.start", summary: { contains: license.id } },
        }),
      ).toBe(10);
    });

    it("…also with two server instances on one database, each with its own connections", async () => {
      const second = await openDatabase(db.target);
      const other = await startLicensingServer(db, { handle: second });
      try {
        const license = await world.license({ seatLimit: 10 });
        const answers = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            (i % 2 === 0 ? server : other).client.activate({
              licenseKey: license.key,
              client: clientFor(fingerprint()),
            }),
          ),
        );
        expect(answers.filter((a) => a.status === StatusCode.STATUS_CODE_VALID)).toHaveLength(10);
        expect(answers.filter((a) => a.status === StatusCode.STATUS_CODE_SEAT_LIMIT_REACHED)).toHaveLength(
          190,
        );
        expect(await db.handle.db.session.count({ where: { licenseId: license.id, endedAt: null } })).toBe(
          10,
        );
      } finally {
        await other.close();
        await second.close();
      }
    });

    it("20 concurrent activations from one machine share one session", async () => {
      const license = await world.license({ seatLimit: 5 });
      const fp = fingerprint();
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          server.client.activate({ licenseKey: license.key, client: clientFor(fp) }),
        ),
      );
      expect(new Set(answers.map((a) => a.sessionId)).size).toBe(1);
      expect(answers.filter((a) => !a.resumed)).toHaveLength(1);
      expect(await db.handle.db.session.count({ where: { licenseId: license.id } })).toBe(1);
    });
  });

  describe("usage", () => {
    it("concurrent replays of one idempotency key count once and all answer the first result", async () => {
      const license = await world.license({
        entitlements: [{ featureId: world.features.apiCalls.id, quota: 100 }],
      });
      const client = clientFor(fingerprint());
      const call = () =>
        server.client.recordUsage({
          licenseKey: license.key,
          client,
          featureCode: "api-calls",
          amount: 7,
          idempotencyKey: "batch-2026-11-29",
          sessionId: "",
        });
      const answers = await Promise.all(Array.from({ length: 20 }, call));
      expect(answers.every((a) => a.status === StatusCode.STATUS_CODE_VALID && a.used === 7)).toBe(true);
      expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
      const records = await db.handle.db.usageRecord.findMany({
        where: { licenseId: license.id },
        select: { amount: true },
      });
      expect(records).toEqual([{ amount: 7 }]);
      // a different amount under the same key is a client bug: refused, nothing written
      await expect(
        server.client.recordUsage({
          licenseKey: license.key,
          client,
          featureCode: "api-calls",
          amount: 8,
          idempotencyKey: "batch-2026-11-29",
          sessionId: "",
        }),
      ).rejects.toMatchObject({ code: Status.ALREADY_EXISTS });
    });

    it("concurrent distinct uses never exceed the quota together", async () => {
      const license = await world.license({
        entitlements: [{ featureId: world.features.apiCalls.id, quota: 10 }],
      });
      const client = clientFor(fingerprint());
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          server.client.recordUsage({
            licenseKey: license.key,
            client,
            featureCode: "api-calls",
            amount: 1,
            idempotencyKey: `use-${i}`,
            sessionId: "",
          }),
        ),
      );
      expect(answers.filter((a) => a.status === StatusCode.STATUS_CODE_VALID)).toHaveLength(10);
      expect(answers.filter((a) => a.status === StatusCode.STATUS_CODE_QUOTA_EXCEEDED)).toHaveLength(20);
      const sum = await db.handle.db.usageRecord.aggregate({
        where: { licenseId: license.id },
        _sum: { amount: true },
      });
      expect(sum._sum.amount).toBe(10);
    });

    it("daily quotas start again the next UTC day", async () => {
      const license = await world.license({
        entitlements: [{ featureId: world.features.apiCalls.id, quota: 3, quotaPeriod: "day" }],
      });
      const client = clientFor(fingerprint());
      const use = (key: string) =>
        server.client.recordUsage({
          licenseKey: license.key,
          client,
          featureCode: "api-calls",
          amount: 3,
          idempotencyKey: key,
          sessionId: "",
        });
      const start = db.clock.now();
      try {
        expect(statusName((await use("d1")).status)).toBe("VALID");
        expect(statusName((await use("d2")).status)).toBe("QUOTA_EXCEEDED");
        db.clock.advance(86_400 * SECOND);
        expect(await use("d3")).toMatchObject({ status: StatusCode.STATUS_CODE_VALID, used: 3 });
        const entitlements = await server.client.getEntitlements({ licenseKey: license.key, client });
        expect(entitlements.entitlements[0]).toMatchObject({
          used: 3,
          quota: 3,
          quotaPeriod: QuotaPeriod.QUOTA_PERIOD_DAY,
        });
      } finally {
        db.clock.set(start);
      }
    });
  });

  describe("bad input", () => {
    const licenseKey = "00000-00000-00000-00000-00000";
    const rpcs: [string, string, () => Promise<unknown>, Record<string, unknown>, string][] = [
      [
        "Validate",
        "validate",
        () => server.client.validate({ licenseKey: "", client: clientFor("fp") }),
        { client: {} },
        "license_key",
      ],
      [
        "Activate",
        "activate",
        () => server.client.activate({ licenseKey, client: clientFor(""), metadata: {} }),
        { licenseKey, client: { productCode: "p" } },
        "client.fingerprint",
      ],
      [
        "Heartbeat",
        "heartbeat",
        () => server.client.heartbeat({ licenseKey, sessionId: "", client: clientFor("fp") }),
        { licenseKey, client: { productCode: "p", fingerprint: "f" } },
        "session_id",
      ],
      [
        "Deactivate",
        "deactivate",
        () => server.client.deactivate({ licenseKey: "not a key", sessionId: "s", client: clientFor("fp") }),
        { licenseKey: "not a key", sessionId: "s", client: { productCode: "p", fingerprint: "f" } },
        "license_key",
      ],
      [
        "GetEntitlements",
        "get-entitlements",
        () => server.client.getEntitlements({ licenseKey }),
        { licenseKey },
        "client.product_code",
      ],
      [
        "RecordUsage",
        "record-usage",
        () =>
          server.client.recordUsage({
            licenseKey,
            client: clientFor("fp"),
            featureCode: "api-calls",
            amount: 0,
            idempotencyKey: "k",
            sessionId: "",
          }),
        {
          licenseKey,
          client: { productCode: "p", fingerprint: "f" },
          featureCode: "x",
          amount: "lots",
          idempotencyKey: "k",
        },
        "amount",
      ],
    ];

    it.each(rpcs)(
      "%s: INVALID_ARGUMENT with field details on gRPC, 400 on REST, nothing written",
      async (_rpc, route, call, body, field) => {
        const before = await snapshot(db);
        const error = await call().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(RichClientError);
        const rich = error as RichClientError;
        expect(rich.code).toBe(Status.INVALID_ARGUMENT);
        const violations = rich.extra.flatMap((d) => (d.$type === BadRequest.$type ? d.fieldViolations : []));
        expect(violations.map((v) => v.field)).toContain(field);

        const response = await server.rest(route, body);
        expect(response.status).toBe(400);
        const json = (await response.json()) as { code: string; fields: { path: string }[] };
        expect(json.code).toBe("INVALID_ARGUMENT");
        expect(json.fields.length).toBeGreaterThan(0);
        expect(await snapshot(db)).toEqual(before);
      },
    );

    it("the REST twin refuses what is not a JSON object, unknown operations and wrong methods", async () => {
      const before = await snapshot(db);
      const broken = await server.rest("validate", undefined, { raw: "{not json" });
      expect(broken.status).toBe(400);
      expect(await broken.json()).toMatchObject({
        code: "INVALID_ARGUMENT",
        message: "the body is not valid JSON",
      });
      expect((await server.rest("validate", undefined, { raw: "[1,2]" })).status).toBe(400);
      expect((await server.rest("no-such-op", {})).status).toBe(404);
      expect((await server.rest("validate", undefined, { method: "GET" })).status).toBe(405);
      const keys = await server.rest("get-public-keys", undefined, { method: "GET" });
      expect(keys.status).toBe(200);
      expect(((await keys.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
      expect(await snapshot(db)).toEqual(before);
    });
  });

  it("refuses a license on every instance from the first call after it is suspended or revoked (no cache)", async () => {
    const second = await openDatabase(db.target);
    const other = await startLicensingServer(db, { handle: second });
    try {
      const license = await world.license();
      const client = clientFor(fingerprint());
      // both instances have answered for this license (a cache, if there were one, would be warm)
      for (const s of [server, other]) {
        expect(statusName((await s.client.validate({ licenseKey: license.key, client })).status)).toBe(
          "VALID",
        );
      }
      // nothing is cached, so the bound is "the next call": the first calls after the commit refuse
      // (a cache of any lifetime would answer VALID here, both instances being warm)
      await suspendLicense(db.ctx(), { id: license.id });
      const seen = await Promise.all(
        [server, other].map(async (s) =>
          statusName((await s.client.validate({ licenseKey: license.key, client })).status),
        ),
      );
      expect(seen).toEqual(["SUSPENDED", "SUSPENDED"]);
      await revokeLicense(db.ctx(), { id: license.id });
      const heartbeat = await other.client.validate({ licenseKey: license.key, client });
      expect(statusName(heartbeat.status)).toBe("REVOKED");
    } finally {
      await other.close();
      await second.close();
    }
  });

  it("GetPublicKeys returns the keyring with the active key marked", async () => {
    const res = await server.client.getPublicKeys({});
    const keyring = await publicKeyring(db.handle.db);
    expect(res.keys).toEqual(keyring);
    expect(res.keys.filter((k) => k.active)).toHaveLength(1);
  });

  it("rate limits per license key: RESOURCE_EXHAUSTED with RetryInfo on gRPC, 429 with headers on REST", async () => {
    const limited = await startLicensingServer(db, { licensing: { rateLimitPerKey: 3 } });
    try {
      const license = await world.license();
      const client = clientFor(fingerprint());
      for (let i = 0; i < 3; i++) await limited.client.validate({ licenseKey: license.key, client });
      const error = (await limited.client
        .validate({ licenseKey: license.key, client })
        .catch((e: unknown) => e)) as RichClientError;
      expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
      expect(error.extra.some((d) => d.$type === RetryInfo.$type)).toBe(true);
      const rest = await limited.rest("validate", { licenseKey: license.key, client });
      expect(rest.status).toBe(429);
      expect(Number(rest.headers.get("retry-after"))).toBeGreaterThan(0);
      // another key still passes, with the headers counting down
      const other = await world.license();
      const ok = await limited.rest("validate", { licenseKey: other.key, client });
      expect(ok.status).toBe(200);
      expect(ok.headers.get("x-ratelimit-limit")).toBe("3");
      expect(ok.headers.get("x-ratelimit-remaining")).toBe("2");
    } finally {
      await limited.close();
    }
  });

  it("with RATE_LIMIT_STORE=database, two instances share one count per license key", async () => {
    const second = await openDatabase(db.target);
    const shared = { rateLimitPerKey: 4, rateLimitStore: "database" as const };
    const a = await startLicensingServer(db, { licensing: shared });
    const b = await startLicensingServer(db, { licensing: shared, handle: second });
    try {
      const license = await world.license();
      const client = clientFor(fingerprint());
      // four calls spread over both instances use up the key's minute, on gRPC and REST alike
      await a.client.validate({ licenseKey: license.key, client });
      await b.client.validate({ licenseKey: license.key, client });
      expect((await a.rest("validate", { licenseKey: license.key, client })).status).toBe(200);
      const last = await b.rest("validate", { licenseKey: license.key, client });
      expect(last.headers.get("x-ratelimit-remaining")).toBe("0");
      for (const s of [a, b]) {
        const error = (await s.client
          .validate({ licenseKey: license.key, client })
          .catch((e: unknown) => e)) as RichClientError;
        expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
      }
      // per-process counting would have let each instance answer four
      const memory = await startLicensingServer(db, { licensing: { rateLimitPerKey: 4 } });
      try {
        expect(statusName((await memory.client.validate({ licenseKey: license.key, client })).status)).toBe(
          "VALID",
        );
      } finally {
        await memory.close();
      }
    } finally {
      await b.close();
      await a.close();
      await second.close();
    }
  });

  it("a graceful shutdown lets running calls finish and writes the validation counts", async () => {
    const draining = await startLicensingServer(db);
    const license = await world.license({ seatLimit: 50 });
    // connected first, so the calls below reach the server rather than a channel still opening
    await draining.client.validate({ licenseKey: license.key, client: clientFor(fingerprint()) });
    const calls = Array.from({ length: 30 }, () =>
      draining.client.activate({ licenseKey: license.key, client: clientFor(fingerprint()) }),
    );
    const deadline = Date.now() + 5000;
    while (
      (await db.handle.db.session.count({ where: { licenseId: license.id } })) === 0 &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const hour = new Date(db.clock.now());
    hour.setUTCMinutes(0, 0, 0);
    const before = await db.handle.db.activityBucket.findUnique({
      where: { at: hour },
      select: { validations: true },
    });
    const closing = draining.close();
    const answers = await Promise.allSettled(calls);
    await closing;
    const done = answers.filter((a) => a.status === "fulfilled");
    const sessions = await db.handle.db.session.count({ where: { licenseId: license.id } });
    // every session the server started was answered to its client
    expect(done.length).toBeGreaterThan(0);
    expect(sessions).toBe(done.length);
    // the counts in memory were written on the way down (1 Validate + the answered Activates)
    const after = await db.handle.db.activityBucket.findUnique({
      where: { at: hour },
      select: { validations: true },
    });
    expect((after?.validations ?? 0) - (before?.validations ?? 0)).toBeGreaterThanOrEqual(1 + done.length);
  });
});
