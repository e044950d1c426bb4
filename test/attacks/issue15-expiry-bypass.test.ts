// Attacks on the issue-15 expiry terms, through the real licensing API (gRPC on loopback) with
// the test's clock:
// - a trial license whose expiry strategy says "allow" (a trial policy edited to allow before
//   policies refused it, or the license row edited later): the trial's last online answer before
//   its end gave a grace token (and a seat hold) running a full grace period past it, although
//   every RPC answers TRIAL_EXPIRED from the end on;
// - a license whose duration counts from the first activation is used through GetEntitlements
//   and RecordUsage only (machine bound, usage counted, VALID) and its duration never starts.
import { afterAll, beforeAll, expect, it } from "vitest";
import { verifyGraceToken } from "../../sdk/src/grace-token.ts";
import { StatusCode, type ClientInfo } from "../../src/generated/proto/license/v1/license.ts";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { tokenExpiry } from "../../src/server/core/sessions/seat-hold.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeCustomer, makeGroup, makeProduct } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";
import { makeTrialProduct } from "../support/trials.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const statusName = (code: StatusCode) => StatusCode[code].replace("STATUS_CODE_", "");

describeEachDb("issue 15 attacks: expiry bypasses", (getDb) => {
  let db: TestDb;
  let server: LicensingServer;

  beforeAll(async () => {
    db = getDb();
    server = await startLicensingServer(db, { licensing: { trialRateLimitPerHour: 1000 } });
  });
  afterAll(async () => {
    await server.close();
  });

  const clientOf = (productCode: string, fp: string): ClientInfo => ({
    productCode,
    fingerprint: fp,
    clientVersion: "1.0.0",
    hostname: "h",
    components: [],
  });

  it("a trial's grace token never outlives the trial (trial license with expiry strategy allow)", async () => {
    db.clock.set(new Date("2026-06-01T12:00:00.000Z"));
    const world = await makeTrialProduct(db, { durationDays: 14 });
    const fp = fingerprint();
    const client = clientOf(world.product.code, fp);
    const started = await server.client.startTrial({ client, email: "" });
    expect(statusName(started.status), started.message).toBe("VALID");
    const trialEnd = started.license?.expiresAt;
    expect(trialEnd).toBeInstanceOf(Date);
    // the row says allow (policies refuse it for trials now; a row may still say it): the server
    // must cap the trial's tokens whatever the row says
    const { licenseId } = await db.handle.db.trial.findFirstOrThrow({
      where: { productId: world.product.id },
      select: { licenseId: true },
    });
    await db.handle.db.license.update({ where: { id: licenseId }, data: { expiryStrategy: "allow" } });
    const terms = await db.handle.db.license.findUniqueOrThrow({
      where: { id: licenseId },
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
    // a seat hold is computed from the same capped expiry (as if the trial were floating)
    const nearEnd = new Date((trialEnd?.getTime() ?? 0) - HOUR);
    expect(tokenExpiry({ ...terms, type: "floating" }, nearEnd)).toEqual(trialEnd);

    // an hour before the end: the last online answer
    db.clock.advance(14 * DAY - HOUR);
    const last = await server.client.validate({ licenseKey: started.licenseKey, client });
    expect(statusName(last.status)).toBe("VALID");
    // after the end the server refuses...
    db.clock.advance(12 * HOUR);
    const online = await server.client.validate({ licenseKey: started.licenseKey, client });
    expect(statusName(online.status)).toBe("TRIAL_EXPIRED");
    // ...and so must the grace token the machine kept
    const keys = await publicKeyring(db.handle.db);
    const offline = await verifyGraceToken(last.graceToken, keys, {
      fingerprint: fp,
      licenseKey: started.licenseKey,
      productCode: world.product.code,
      now: db.clock.now(),
    });
    expect(last.graceTokenExpiresAt?.getTime()).toBeLessThanOrEqual(trialEnd?.getTime() ?? 0);
    expect(offline.valid).toBe(false);
  });

  it("a duration from the first activation starts with the first VALID use, whichever RPC it is", async () => {
    db.clock.set(new Date("2026-06-01T12:00:00.000Z"));
    const group = await makeGroup(db);
    const { product, features } = await makeProduct(db);
    const customer = await makeCustomer(db, group.id);
    const license = await createLicense(db.ctx(), {
      customerId: customer.id,
      productId: product.id,
      type: "node_locked",
      seatLimit: 1,
      durationDays: 30,
      durationFrom: "first_activation",
      entitlements: [{ featureId: features.apiCalls.id, quota: null }],
    });
    const client = clientOf(product.code, fingerprint());
    const first = await server.client.getEntitlements({ licenseKey: license.key, client });
    expect(statusName(first.status)).toBe("VALID");
    // a year and more later, the 30-day license still grants, through the RPCs that do not activate
    db.clock.advance(400 * DAY);
    const usage = await server.client.recordUsage({
      licenseKey: license.key,
      client,
      featureCode: "api-calls",
      amount: 5,
      idempotencyKey: "late-use",
      sessionId: "",
    });
    const entitlements = await server.client.getEntitlements({ licenseKey: license.key, client });
    const row = await db.handle.db.license.findUniqueOrThrow({
      where: { id: license.id },
      select: { activatedAt: true, expiresAt: true },
    });
    const bound = await db.handle.db.machineBinding.count({ where: { licenseId: license.id } });
    expect(bound).toBe(1); // the machine was bound by GetEntitlements
    expect(row.activatedAt, "the first VALID use bound the machine but did not activate").not.toBeNull();
    expect(statusName(usage.status)).not.toBe("VALID");
    expect(statusName(entitlements.status)).not.toBe("VALID");
  });
});
