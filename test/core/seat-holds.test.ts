// Seats hold through outages: a floating license's grace token is a lease on a seat, so a machine
// whose heartbeats stopped (network cut, crash) keeps its seat until the last token issued for its
// session has expired, and no other machine can take it meanwhile. Driven through the domain
// operations with the test clock; each test checks the database after the calls.
import { decodeJwt } from "jose";
import { beforeAll, expect, it } from "vitest";
import type { LicensingContext } from "../../src/server/core/validation/licensing-context.ts";
import { validateLicense } from "../../src/server/core/validation/validate-license.ts";
import { updateLicense } from "../../src/server/core/licenses/update-license.ts";
import { activateSession, type ActivateAnswer } from "../../src/server/core/sessions/activate-session.ts";
import { deactivateSession } from "../../src/server/core/sessions/deactivate-session.ts";
import { endSession } from "../../src/server/core/sessions/end-session.ts";
import { HeartbeatBuffer } from "../../src/server/core/sessions/heartbeat-buffer.ts";
import { heartbeatSession } from "../../src/server/core/sessions/heartbeat-session.ts";
import { listSessions } from "../../src/server/core/sessions/list-sessions.ts";
import { reapDeadSessions } from "../../src/server/core/sessions/reap-sessions.ts";
import { HOLD_AHEAD_INTERVALS } from "../../src/server/core/sessions/seat-hold.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { testClientContext } from "../support/licensing.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeLicense, makeWorld } from "../support/fixtures.ts";

const TOLERANCE_S = 60;
const INTERVAL_S = 300;

describeEachDb("seats hold through outages", (getDb) => {
  let db: TestDb;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  let client: LicensingContext;

  beforeAll(async () => {
    db = getDb();
    world = await makeWorld(db);
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    client = testClientContext(db, "10.0.0.9", TOLERANCE_S);
  });

  const info = (fingerprint: string) => ({
    productCode: world.product.code,
    fingerprint,
    hostname: fingerprint,
  });
  const floating = (seatLimit: number) =>
    makeLicense(db, world.customer.id, world.product.id, {
      seatLimit,
      heartbeatIntervalSeconds: INTERVAL_S,
    });
  const activate = (key: string, fingerprint: string) =>
    activateSession(client, { licenseKey: key, client: info(fingerprint) });
  const heartbeat = (key: string, fingerprint: string, sessionId: string) =>
    heartbeatSession(client, { licenseKey: key, client: info(fingerprint), sessionId });
  const stored = (id: string) =>
    db.handle.db.session.findUniqueOrThrow({
      where: { id },
      select: { graceUntil: true, deadlineAt: true, endedAt: true, endReason: true },
    });
  const sid = (answer: { grace: { token: string } | null }) => decodeJwt(answer.grace?.token ?? "").sid;
  const valid = (answer: ActivateAnswer): string => {
    expect(answer.status).toBe("VALID");
    return answer.sessionId ?? "";
  };

  it("a machine whose heartbeats stopped keeps its seat until its grace token expires, also after the reaper ran", async () => {
    const license = await floating(1);
    expect(license.gracePeriodHours).toBe(1); // the floating default
    const first = await activate(license.key, "m-a");
    const a = valid(first);
    expect(sid(first)).toBe(a);
    let last = first.grace;
    for (let i = 0; i < 5; i++) {
      db.clock.advance(INTERVAL_S * 1000);
      const beat = await heartbeat(license.key, "m-a", a);
      expect(beat.status).toBe("VALID");
      expect(sid(beat)).toBe(a);
      last = beat.grace;
    }
    const tokenExpiry = last?.expiresAt ?? new Date(0);
    expect(tokenExpiry.getTime()).toBe(Math.floor(db.clock.now().getTime() / 1000) * 1000 + 3600_000);
    await client.heartbeats.flush();

    // the network is cut: no more heartbeats; past deadline + tolerance the reaper ends the session
    db.clock.advance((INTERVAL_S + TOLERANCE_S + 1) * 1000);
    expect(await reapDeadSessions(db.ctx(), TOLERANCE_S)).toBeGreaterThanOrEqual(1);
    const reaped = await stored(a);
    expect(reaped).toMatchObject({ endReason: "heartbeat_dead" });
    const holdUntil = reaped.graceUntil ?? new Date(0);
    // the hold covers the token, and reaches at most HOLD_AHEAD_INTERVALS intervals beyond it
    expect(holdUntil >= tokenExpiry).toBe(true);
    expect(holdUntil.getTime() - tokenExpiry.getTime()).toBeLessThanOrEqual(
      HOLD_AHEAD_INTERVALS * INTERVAL_S * 1000,
    );

    // the attack: another machine tries to take the seat while the first runs on its token
    const refused = await activate(license.key, "m-b");
    expect(refused).toMatchObject({ status: "SEAT_LIMIT_REACHED", sessionId: null, grace: null });
    db.clock.set(new Date(tokenExpiry.getTime() - 1000));
    expect((await activate(license.key, "m-b")).status).toBe("SEAT_LIMIT_REACHED");
    db.clock.set(new Date(holdUntil.getTime() - 1));
    expect((await activate(license.key, "m-b")).status).toBe("SEAT_LIMIT_REACHED");
    expect(await reapDeadSessions(db.ctx(), TOLERANCE_S)).toBe(0);
    // right after the hold ends, the seat is free
    db.clock.set(new Date(holdUntil.getTime() + 1));
    const b = valid(await activate(license.key, "m-b"));
    expect(b).not.toBe(a);
    expect(await db.handle.db.session.count({ where: { licenseId: license.id, endedAt: null } })).toBe(1);
  });

  it("a session past its deadline but not yet reaped holds its seat through its token too", async () => {
    const license = await floating(1);
    const a = valid(await activate(license.key, "m-a"));
    db.clock.advance((INTERVAL_S + TOLERANCE_S + 1) * 1000);
    // the activation ends the dead session itself, but its hold still counts
    expect((await activate(license.key, "m-b")).status).toBe("SEAT_LIMIT_REACHED");
    expect(await stored(a)).toMatchObject({ endReason: "heartbeat_dead" });
    const late = await heartbeat(license.key, "m-a", a);
    expect(late).toMatchObject({ status: "HEARTBEAT_DEAD", grace: null });
  });

  it("deactivation frees the seat at once", async () => {
    const license = await floating(1);
    const a = valid(await activate(license.key, "m-a"));
    expect((await stored(a)).graceUntil).not.toBeNull();
    expect((await activate(license.key, "m-b")).status).toBe("SEAT_LIMIT_REACHED");
    const done = await deactivateSession(client, {
      licenseKey: license.key,
      client: info("m-a"),
      sessionId: a,
    });
    expect(done.status).toBe("VALID");
    expect(await stored(a)).toMatchObject({ endReason: "deactivated", graceUntil: null });
    valid(await activate(license.key, "m-b"));
  });

  it("a machine that comes back after its session was reaped frees its hold by deactivating", async () => {
    const license = await floating(1);
    const a = valid(await activate(license.key, "m-a"));
    db.clock.advance((INTERVAL_S + TOLERANCE_S + 1) * 1000);
    await reapDeadSessions(db.ctx(), TOLERANCE_S);
    expect((await stored(a)).graceUntil).not.toBeNull();
    // another machine cannot give it back for it
    const other = await deactivateSession(client, {
      licenseKey: license.key,
      client: info("m-x"),
      sessionId: a,
    });
    expect(other.status).toBe("FINGERPRINT_MISMATCH");
    expect((await stored(a)).graceUntil).not.toBeNull();
    const back = await deactivateSession(client, {
      licenseKey: license.key,
      client: info("m-a"),
      sessionId: a,
    });
    expect(back.status).toBe("VALID");
    expect((await stored(a)).graceUntil).toBeNull();
    valid(await activate(license.key, "m-b"));
  });

  it("an admin's end refuses the session's heartbeats but keeps the seat held until the token expires", async () => {
    const license = await floating(1);
    const answer = await activate(license.key, "m-a");
    const a = valid(answer);
    const ended = await endSession(db.ctx(), { id: a, reason: "needed elsewhere" });
    expect(ended.state).toBe("held");
    expect(ended.graceUntil?.getTime()).toBe((await stored(a)).graceUntil?.getTime());
    expect((ended.graceUntil ?? new Date(0)) >= (answer.grace?.expiresAt ?? new Date())).toBe(true);
    const beat = await heartbeat(license.key, "m-a", a);
    expect(beat).toMatchObject({ status: "SESSION_NOT_FOUND", grace: null });
    expect((await activate(license.key, "m-b")).status).toBe("SEAT_LIMIT_REACHED");
    // the admin view lists it among the sessions holding a seat, not among the open ones
    const seated = await listSessions(db.ctx(), { licenseId: license.id, state: "seated" });
    expect(seated.items.map((s) => [s.id, s.state])).toEqual([[a, "held"]]);
    expect((await listSessions(db.ctx(), { licenseId: license.id, state: "open" })).total).toBe(0);
    db.clock.set(new Date((ended.graceUntil ?? new Date(0)).getTime() + 1));
    valid(await activate(license.key, "m-b"));
    const after = await listSessions(db.ctx(), { licenseId: license.id, state: "all" });
    expect(after.items.find((s) => s.id === a)?.state).toBe("ended");
  });

  it("the same machine activating again replaces its old hold instead of taking a second seat", async () => {
    const license = await floating(2);
    const old = valid(await activate(license.key, "m-a"));
    db.clock.advance((INTERVAL_S + TOLERANCE_S + 1) * 1000);
    await reapDeadSessions(db.ctx(), TOLERANCE_S);
    const again = await activate(license.key, "m-a");
    const fresh = valid(again);
    expect(fresh).not.toBe(old);
    expect(again.resumed).toBe(false);
    expect((await stored(old)).graceUntil).toBeNull();
    valid(await activate(license.key, "m-b"));
    expect((await activate(license.key, "m-c")).status).toBe("SEAT_LIMIT_REACHED");
    const audit = await db.handle.db.auditEvent.findFirst({
      where: { action: "session.start", targetId: fresh },
      select: { summary: true },
    });
    expect(JSON.parse(audit?.summary ?? "{}")).toMatchObject({ replacedHolds: 1, seatsTaken: 1 });
  });

  it("a re-activation that is refused leaves the machine's old hold in place", async () => {
    const license = await floating(2);
    const a = valid(await activate(license.key, "m-a"));
    valid(await activate(license.key, "m-b"));
    db.clock.advance((INTERVAL_S + TOLERANCE_S + 1) * 1000);
    await reapDeadSessions(db.ctx(), TOLERANCE_S);
    valid(await activate(license.key, "m-b")); // m-b came back; m-a still offline on its token
    await updateLicense(db.ctx(), { id: license.id, seatLimit: 1 });
    expect((await activate(license.key, "m-a")).status).toBe("SEAT_LIMIT_REACHED");
    expect((await stored(a)).graceUntil).not.toBeNull();
  });

  it("Validate grants no offline running on a floating license; node-locked keeps its token", async () => {
    const license = await floating(1);
    const answer = await validateLicense(client, { licenseKey: license.key, client: info("m-v") });
    expect(answer).toMatchObject({ status: "VALID", grace: null });
    expect(await db.handle.db.session.count({ where: { licenseId: license.id } })).toBe(0);

    const locked = await makeLicense(db, world.customer.id, world.product.id, {
      type: "node_locked",
      seatLimit: 1,
    });
    expect(locked.gracePeriodHours).toBe(72);
    const bound = await validateLicense(client, { licenseKey: locked.key, client: info("m-v") });
    expect(bound.status).toBe("VALID");
    const issuedAt = Math.floor(db.clock.now().getTime() / 1000) * 1000; // JWT times are whole seconds
    expect(bound.grace?.expiresAt.getTime()).toBe(issuedAt + 72 * 3600_000);
    expect(decodeJwt(bound.grace?.token ?? "").sid).toBeUndefined();
  });

  it("buffered heartbeats never answer with a token beyond the stored hold, and most write nothing", async () => {
    const license = await floating(1);
    const first = await activate(license.key, "m-a");
    const a = valid(first);
    let hold = (await stored(a)).graceUntil;
    expect(hold && hold >= (first.grace?.expiresAt ?? new Date())).toBe(true);
    const beats = 24;
    let writes = 0;
    for (let i = 0; i < beats; i++) {
      // the SDK beats after 90–100 % of the interval
      db.clock.advance(INTERVAL_S * (i % 2 === 0 ? 900 : 1000));
      const deadlineBefore = (await stored(a)).deadlineAt;
      const beat = await heartbeat(license.key, "m-a", a);
      expect(beat.status).toBe("VALID");
      // read before any flush: this is what a kill -9 right after the answer would leave
      const row = await stored(a);
      expect(row.deadlineAt).toEqual(deadlineBefore); // the deadline waits in the buffer
      expect(row.graceUntil && row.graceUntil >= (beat.grace?.expiresAt ?? new Date())).toBe(true);
      if (row.graceUntil?.getTime() !== hold?.getTime()) writes += 1;
      hold = row.graceUntil;
    }
    // one write in four or five heartbeats (HOLD_AHEAD_INTERVALS intervals of margin)
    expect(writes).toBeGreaterThanOrEqual(Math.floor(beats / 5));
    expect(writes).toBeLessThanOrEqual(Math.ceil(beats / 4));

    // a crash loses the buffer (a new process, nothing flushed): the hold still covers the token
    const crashed: LicensingContext = {
      ...client,
      heartbeats: new HeartbeatBuffer(client.db, client.provider, client.logger, 0),
    };
    // the stored deadline is the activation's: long dead, so the reaper ends the session now
    expect(await reapDeadSessions(db.ctx(), TOLERANCE_S)).toBeGreaterThanOrEqual(1);
    const lost = await stored(a);
    expect(lost.endReason).toBe("heartbeat_dead");
    expect((await activateSession(crashed, { licenseKey: license.key, client: info("m-b") })).status).toBe(
      "SEAT_LIMIT_REACHED",
    );
    db.clock.set(new Date((lost.graceUntil ?? new Date(0)).getTime() + 1));
    expect((await activateSession(crashed, { licenseKey: license.key, client: info("m-b") })).status).toBe(
      "VALID",
    );
  });
});
