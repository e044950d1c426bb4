// Attacks on trial conversion and the trial rate limit, on both databases:
// - two admins converting one trial at once (PostgreSQL: read committed, no lock on the trial);
// - conversion by hand-given terms writing terms that contradict the trial's kept check-in;
// - StartTrial from addresses of one IPv6 /64 (what one host gets from its provider).
import { beforeAll, afterAll, expect, it } from "vitest";
import { StartTrialResponse } from "../../src/generated/proto/license/v1/license.ts";
import { convertTrial } from "../../src/server/core/trials/convert-trial.ts";
import { startTrial } from "../../src/server/core/trials/start-trial.ts";
import type { LicensingContext } from "../../src/server/core/validation/licensing-context.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeCustomer } from "../support/fixtures.ts";
import {
  fingerprint,
  startLicensingServer,
  testClientContext,
  type LicensingServer,
} from "../support/licensing.ts";
import { components, makeTrialProduct } from "../support/trials.ts";

describeEachDb("issue 15 attacks: trial conversion and the trial limit", (getDb) => {
  let db: TestDb;
  let ctx: LicensingContext;
  let server: LicensingServer;

  beforeAll(async () => {
    db = getDb();
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    ctx = testClientContext(db, "203.0.113.9", 60);
    server = await startLicensingServer(db, { licensing: { trialRateLimitPerHour: 10 } });
  });
  afterAll(async () => {
    await server.close();
  });

  async function trialOf(world: Awaited<ReturnType<typeof makeTrialProduct>>) {
    const answer = await startTrial(ctx, {
      client: {
        productCode: world.product.code,
        fingerprint: fingerprint(),
        hostname: "h",
        clientVersion: "1.0.0",
        components: components({ board: fingerprint() }),
      },
    });
    expect(answer.status).toBe("VALID");
    return db.handle.db.trial.findFirstOrThrow({
      where: { productId: world.product.id },
      select: { id: true, licenseId: true },
    });
  }

  it("two conversions of one trial at once: one wins, the other is FAILED_PRECONDITION", async () => {
    const world = await makeTrialProduct(db);
    const trial = await trialOf(world);
    const payers = await Promise.all([makeCustomer(db, world.group.id), makeCustomer(db, world.group.id)]);
    const results = await Promise.allSettled(
      payers.map((payer) =>
        convertTrial(db.ctx(), { trialId: trial.id, customerId: payer.id, policyId: world.standard.id }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const audits = await db.handle.db.auditEvent.count({
      where: { action: "trial.convert", targetId: trial.licenseId },
    });
    expect(audits).toBe(1);
  });

  it("conversion by given terms refuses terms contradicting the check-in the license keeps", async () => {
    const world = await makeTrialProduct(db, { checkInIntervalDays: 2 });
    const trial = await trialOf(world);
    const payer = await makeCustomer(db, world.group.id);
    const outcome = await convertTrial(db.ctx(), {
      trialId: trial.id,
      customerId: payer.id,
      terms: { gracePeriodHours: 500, offlineAllowanceDays: 1 },
    }).then(
      () => "converted",
      (error: unknown) => (error as { code?: string }).code,
    );
    const license = await db.handle.db.license.findUniqueOrThrow({
      where: { id: trial.licenseId },
      select: { checkInIntervalDays: true, gracePeriodHours: true, offlineAllowanceDays: true, trial: true },
    });
    expect(outcome, JSON.stringify(license)).toBe("INVALID_ARGUMENT");
    expect(license.trial).toBe(true);
  });

  it("the per-address trial limit holds for one IPv6 host's /64", async () => {
    const world = await makeTrialProduct(db);
    const statuses: number[] = [];
    for (let i = 1; i <= 12; i++) {
      const response = await server.rest(
        "start-trial",
        {
          client: {
            productCode: world.product.code,
            fingerprint: fingerprint(),
            hostname: "h",
            clientVersion: "1.0.0",
            components: [],
          },
        },
        { ip: `2001:db8:1:2::${i.toString(16)}` },
      );
      statuses.push(response.status);
      if (response.status === 200) StartTrialResponse.fromJSON(await response.json());
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
  });
});
