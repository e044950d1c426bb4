// Required check-ins (issue 15 item 4), on both databases with the test's clock: a license with a
// 7-day check-in interval, a 30-day grace period and a 30-day offline allowance. Its online answers
// name the next check-in, its grace tokens and .lic files end there, the server notes the check-in
// at most once an hour, and the SDK's offline tiers (a LicenseClient whose server went away after
// one online validation) refuse with OVERDUE once it has passed. A license without an interval
// keeps today's behaviour.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LicenseClient, type LicenseClientOptions } from "../../sdk/src/client/license-client.ts";
import type { PublicKeyEntry } from "../../sdk/src/grace-token.ts";
import { verifyGraceToken } from "../../sdk/src/grace-token.ts";
import { verifyLicenseFile } from "../../sdk/src/license-file.ts";
import { checkoutLicenseFile } from "../../src/server/core/offline/checkout-license-file.ts";
import { holdFor, tokenExpiry } from "../../src/server/core/sessions/seat-hold.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { StatusCode } from "../../src/generated/proto/license/v1/license.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeLicense, makeWorld } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

describeEachDb("required check-ins", (getDb) => {
  let db: TestDb;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  let server: LicensingServer;
  let keys: PublicKeyEntry[];
  const cacheDirs: string[] = [];
  const clients: LicenseClient[] = [];

  beforeAll(async () => {
    db = getDb();
    world = await makeWorld(db);
    server = await startLicensingServer(db);
    keys = (await publicKeyring(db.handle.db)).map(({ kid, publicKeyPem }) => ({ kid, publicKeyPem }));
  });
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await server.close();
    for (const dir of cacheDirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A license with a 30-day grace period and offline allowance, and the check-in interval given. */
  async function license(type: "node_locked" | "floating", checkInIntervalDays: number | null) {
    const made = await makeLicense(db, world.customer.id, world.product.id, {
      type,
      seatLimit: 2,
      gracePeriodHours: 30 * 24,
      offlineAllowanceDays: 30,
      heartbeatIntervalSeconds: 300,
      entitlements: [{ featureId: world.features.exportPdf.id }],
    });
    // the term itself (policies set it too; see docs/check-ins.md)
    await db.handle.db.license.update({ where: { id: made.id }, data: { checkInIntervalDays } });
    return made;
  }

  const clientInfo = (fp: string) => ({
    productCode: world.product.code,
    fingerprint: fp,
    clientVersion: "1.0.0",
    hostname: "desk",
    components: [],
  });

  const lastCheckIn = async (id: string) =>
    (await db.handle.db.license.findUniqueOrThrow({ where: { id }, select: { lastCheckInAt: true } }))
      .lastCheckInAt;

  function sdkClient(key: string, extra: Partial<LicenseClientOptions>): LicenseClient {
    const client = new LicenseClient({
      licenseKey: key,
      product: world.product.code,
      publicKeys: keys,
      now: db.clock.now,
      requestTimeoutMs: 1000,
      reconnect: { initialDelayMs: 100, maxDelayMs: 200 },
      ...extra,
    });
    clients.push(client);
    return client;
  }
  const cacheDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-check-in-"));
    cacheDirs.push(dir);
    return dir;
  };

  it("Validate answers nextCheckInAt = now + 7 d, and its grace token ends there (exp = nci)", async () => {
    const { key } = await license("node_locked", 7);
    const t = db.clock.now();
    const answer = await server.client.validate({ licenseKey: key, client: clientInfo(fingerprint()) });
    expect(answer.status).toBe(StatusCode.STATUS_CODE_VALID);
    expect(answer.standing?.nextCheckInAt).toEqual(new Date(t.getTime() + 7 * DAY));
    expect(answer.license?.checkInIntervalDays).toBe(7);
    // the grace period (30 d) would reach further: the check-in ends the token
    expect(answer.graceTokenExpiresAt).toEqual(new Date(t.getTime() + 7 * DAY));
    const claims = decodeJwt(answer.graceToken);
    expect(claims.exp).toBe(seconds(t) + 7 * 86_400);
    expect(claims.nci).toBe(seconds(t) + 7 * 86_400);

    // the REST twin says the same
    const rest = await server.rest("validate", { licenseKey: key, client: clientInfo(fingerprint()) });
    const body = (await rest.json()) as { status: string; standing?: { nextCheckInAt?: string } };
    expect(body.standing?.nextCheckInAt).toBe(new Date(t.getTime() + 7 * DAY).toISOString());
  });

  it("Activate and Heartbeat answer the deadline too; the seat hold covers exactly the token's expiry", async () => {
    const { key, id } = await license("floating", 7);
    const fp = fingerprint();
    const t = db.clock.now();
    const seat = await server.client.activate({ licenseKey: key, client: clientInfo(fp) });
    expect(seat.status).toBe(StatusCode.STATUS_CODE_VALID);
    expect(seat.standing?.nextCheckInAt).toEqual(new Date(t.getTime() + 7 * DAY));
    expect(seat.graceTokenExpiresAt).toEqual(new Date(t.getTime() + 7 * DAY));
    expect(decodeJwt(seat.graceToken)).toMatchObject({ sid: seat.sessionId, nci: seconds(t) + 7 * 86_400 });

    // the hold is computed with the same expiry as the token
    const terms = await db.handle.db.license.findUniqueOrThrow({
      where: { id },
      select: {
        type: true,
        heartbeatIntervalSeconds: true,
        gracePeriodHours: true,
        expiresAt: true,
        checkInIntervalDays: true,
        expiryStrategy: true,
        trial: true,
      },
    });
    expect(tokenExpiry(terms, t)).toEqual(seat.graceTokenExpiresAt);
    const session = await db.handle.db.session.findUniqueOrThrow({
      where: { id: seat.sessionId },
      select: { graceUntil: true },
    });
    expect(session.graceUntil).toEqual(holdFor(terms, new Date(t.getTime() + 7 * DAY)));

    db.clock.advance(4 * MINUTE);
    const beat = await server.client.heartbeat({
      licenseKey: key,
      sessionId: seat.sessionId,
      client: clientInfo(fp),
    });
    expect(beat.status).toBe(StatusCode.STATUS_CODE_VALID);
    const later = db.clock.now().getTime() + 7 * DAY;
    expect(beat.standing?.nextCheckInAt).toEqual(new Date(later));
    expect(beat.graceTokenExpiresAt).toEqual(new Date(later));
  });

  it("a .lic checked out at T expires at T + 7 d with checkInBy, and verifies OVERDUE after it", async () => {
    const { id } = await license("node_locked", 7);
    const t = db.clock.now();
    const out = await checkoutLicenseFile(db.ctx(), { id, fingerprint: "host-1" });
    // the issuance row and the audit event record the shortened expiry
    expect(out.issuance.expiresAt).toEqual(new Date(t.getTime() + 7 * DAY));
    const event = await db.handle.db.auditEvent.findFirstOrThrow({
      where: { action: "license.checkout", targetId: id },
      select: { summary: true },
    });
    expect(JSON.parse(event.summary)).toMatchObject({
      days: 30,
      expiresAt: new Date(t.getTime() + 7 * DAY).toISOString(),
      checkInBy: new Date(t.getTime() + 7 * DAY).toISOString(),
    });

    const at = (ms: number) =>
      verifyLicenseFile(out.content, keys, { fingerprint: "host-1", now: new Date(t.getTime() + ms) });
    const fresh = await at(6 * DAY);
    expect(fresh.valid && fresh.payload).toMatchObject({
      expiresAt: new Date(t.getTime() + 7 * DAY).toISOString(),
      checkInBy: new Date(t.getTime() + 7 * DAY).toISOString(),
    });
    expect(await at(7 * DAY + MINUTE)).toEqual({
      valid: false,
      reason: "OVERDUE",
      checkInBy: new Date(t.getTime() + 7 * DAY),
    });
  });

  it("the SDK runs on the grace token until the check-in, then answers OVERDUE", async () => {
    const { key } = await license("node_locked", 7);
    const fp = fingerprint();
    const dir = cacheDir();
    const t = db.clock.now();
    const online = sdkClient(key, {
      server: `127.0.0.1:${server.gateway.port}`,
      fingerprint: fp,
      cacheDir: dir,
    });
    const first = await online.validate();
    expect(first).toMatchObject({
      valid: true,
      tier: "online",
      nextCheckInAt: new Date(t.getTime() + 7 * DAY),
    });
    await online.close();

    // the server is gone: the same machine and cache, nothing listening
    const offline = sdkClient(key, { server: "127.0.0.1:1", fingerprint: fp, cacheDir: dir });
    const overdue: unknown[] = [];
    offline.on("overdue", (result) => overdue.push(result));
    db.clock.set(new Date(t.getTime() + 6 * DAY));
    expect(await offline.validate()).toMatchObject({
      valid: true,
      status: "VALID",
      tier: "grace",
      validUntil: new Date(t.getTime() + 7 * DAY),
      nextCheckInAt: new Date(t.getTime() + 7 * DAY),
    });
    db.clock.set(new Date(t.getTime() + 7 * DAY + MINUTE));
    const late = await offline.validate();
    expect(late).toMatchObject({ valid: false, status: "OVERDUE", tier: "none" });
    expect(late.message).toContain(
      `a check-in with the license server was due by ${new Date(t.getTime() + 7 * DAY).toISOString()}`,
    );
    expect(overdue).toHaveLength(1);
    // the grace token itself says why
    const token = (offline as unknown as { state: { graceToken?: string } }).state.graceToken ?? "";
    expect(await verifyGraceToken(token, keys, { fingerprint: fp, now: db.clock.now() })).toMatchObject({
      valid: false,
      reason: "OVERDUE",
    });
  });

  it("the SDK runs on the .lic file until the check-in, then answers OVERDUE", async () => {
    const { key, id } = await license("node_locked", 7);
    const fp = fingerprint();
    const t = db.clock.now();
    const file = await checkoutLicenseFile(db.ctx(), { id, fingerprint: fp, encrypt: true });
    const offline = sdkClient(key, {
      server: "127.0.0.1:1",
      fingerprint: fp,
      cacheDir: cacheDir(),
      licenseFile: file.content,
    });
    db.clock.set(new Date(t.getTime() + 6 * DAY));
    expect(await offline.validate()).toMatchObject({
      valid: true,
      tier: "license_file",
      validUntil: new Date(t.getTime() + 7 * DAY),
      nextCheckInAt: new Date(t.getTime() + 7 * DAY),
    });
    db.clock.set(new Date(t.getTime() + 7 * DAY + MINUTE));
    const late = await offline.validate();
    expect(late).toMatchObject({ valid: false, status: "OVERDUE", tier: "none" });
    expect(late.message).toContain(new Date(t.getTime() + 7 * DAY).toISOString());
  });

  it("when both tiers are past the check-in, the result is OVERDUE (not EXPIRED)", async () => {
    const { key, id } = await license("node_locked", 7);
    const fp = fingerprint();
    const dir = cacheDir();
    const t = db.clock.now();
    const file = await checkoutLicenseFile(db.ctx(), { id, fingerprint: fp });
    const online = sdkClient(key, {
      server: `127.0.0.1:${server.gateway.port}`,
      fingerprint: fp,
      cacheDir: dir,
    });
    expect((await online.validate()).tier).toBe("online");
    await online.close();
    const offline = sdkClient(key, {
      server: "127.0.0.1:1",
      fingerprint: fp,
      cacheDir: dir,
      licenseFile: file.content,
    });
    db.clock.set(new Date(t.getTime() + 7 * DAY + MINUTE));
    const late = await offline.validate();
    expect(late).toMatchObject({ valid: false, status: "OVERDUE" });
    expect(late.message).toContain("license file: OVERDUE");
    expect(late.message).toContain("grace token: OVERDUE");
  });

  it("lastCheckInAt is written once within an hour of repeated validations", async () => {
    const { key, id } = await license("node_locked", 7);
    const fp = fingerprint();
    const t = db.clock.now();
    expect(await lastCheckIn(id)).toBeNull();
    await server.client.validate({ licenseKey: key, client: clientInfo(fp) });
    expect(await lastCheckIn(id)).toEqual(t);
    for (const step of [10, 20, 29]) {
      db.clock.advance(step * MINUTE);
      await server.client.validate({ licenseKey: key, client: clientInfo(fp) });
      expect(await lastCheckIn(id)).toEqual(t);
    }
    // the license row is not "updated" by a check-in
    const before = await db.handle.db.license.findUniqueOrThrow({
      where: { id },
      select: { updatedAt: true },
    });
    db.clock.set(new Date(t.getTime() + HOUR + MINUTE));
    await server.client.validate({ licenseKey: key, client: clientInfo(fp) });
    expect(await lastCheckIn(id)).toEqual(new Date(t.getTime() + HOUR + MINUTE));
    const after = await db.handle.db.license.findUniqueOrThrow({
      where: { id },
      select: { updatedAt: true },
    });
    expect(after.updatedAt).toEqual(before.updatedAt);
  });

  it("a license without an interval is unchanged: no deadline, the grace period's token, the allowance's file", async () => {
    const { key, id } = await license("node_locked", null);
    const fp = fingerprint();
    const t = db.clock.now();
    const answer = await server.client.validate({ licenseKey: key, client: clientInfo(fp) });
    expect(answer.status).toBe(StatusCode.STATUS_CODE_VALID);
    expect(answer.standing?.nextCheckInAt).toBeUndefined();
    expect(answer.license?.checkInIntervalDays).toBe(0);
    expect(answer.graceTokenExpiresAt).toEqual(new Date(t.getTime() + 30 * DAY));
    expect(decodeJwt(answer.graceToken).nci).toBeUndefined();
    expect(await lastCheckIn(id)).toBeNull();

    const out = await checkoutLicenseFile(db.ctx(), { id, fingerprint: fp });
    const file = await verifyLicenseFile(out.content, keys, { fingerprint: fp, now: t });
    expect(file.valid && file.payload.expiresAt).toBe(new Date(t.getTime() + 30 * DAY).toISOString());
    expect(file.valid && "checkInBy" in file.payload).toBe(false);

    const dir = cacheDir();
    const online = sdkClient(key, {
      server: `127.0.0.1:${server.gateway.port}`,
      fingerprint: fp,
      cacheDir: dir,
    });
    expect(await online.validate()).toMatchObject({ valid: true, nextCheckInAt: null });
    await online.close();
    const offline = sdkClient(key, { server: "127.0.0.1:1", fingerprint: fp, cacheDir: dir });
    db.clock.set(new Date(t.getTime() + 8 * DAY));
    expect(await offline.validate()).toMatchObject({ valid: true, tier: "grace", nextCheckInAt: null });
    db.clock.set(new Date(t.getTime() + 30 * DAY + MINUTE));
    expect(await offline.validate()).toMatchObject({ valid: false, status: "EXPIRED" });
  });
});
