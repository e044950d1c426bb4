// Overage: a floating license's overage level lets Activate grant seats beyond seatLimit, up to
// floor(seatLimit × factor) ("always": no cap); each seat beyond the limit answers
// Standing.overage, is audited (license.overage) and counted in the metric. Driven through the
// domain with the test clock; counts are checked in the database.
import { beforeAll, expect, it } from "vitest";
import type { Overage } from "../../src/server/core/licenses/select.ts";
import { activateSession, type ActivateAnswer } from "../../src/server/core/sessions/activate-session.ts";
import { allowedSeats } from "../../src/server/core/sessions/overage.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import type { LicensingContext } from "../../src/server/core/validation/licensing-context.ts";
import { serverMetrics } from "../../src/server/metrics.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeLicense, makeWorld, unique } from "../support/fixtures.ts";
import { testClientContext } from "../support/licensing.ts";

/** the overage counter's value for a product (the metrics module observes the domain) */
async function overageMetric(productCode: string): Promise<number> {
  const { values } = await serverMetrics().overageSessions.get();
  return values.find((v) => v.labels.product === productCode)?.value ?? 0;
}

it("allowedSeats: floor(seatLimit × factor), no cap for always, none for node-locked", () => {
  const seats = (overage: Overage, seatLimit = 4, type = "floating") =>
    allowedSeats({ type, seatLimit, overage });
  expect([seats("none"), seats("x1_25"), seats("x1_5"), seats("x2"), seats("always")]).toEqual([
    4,
    5,
    6,
    8,
    Number.POSITIVE_INFINITY,
  ]);
  expect([seats("x1_25", 3), seats("x1_5", 3), seats("x1_25", 1)]).toEqual([3, 4, 1]);
  expect(seats("x2", 4, "node_locked")).toBe(4);
  expect(seats("bogus" as Overage)).toBe(4);
});

describeEachDb("overage", (getDb) => {
  let db: TestDb;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  let client: LicensingContext;

  beforeAll(async () => {
    db = getDb();
    world = await makeWorld(db);
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    client = testClientContext(db, "10.0.0.8", 60);
  });

  const floating = async (overage: Overage, seatLimit = 4, type: "floating" | "node_locked" = "floating") => {
    const license = await makeLicense(db, world.customer.id, world.product.id, {
      type,
      seatLimit,
      entitlements: [],
    });
    // the term as a policy would have set it (policies are another area's)
    await db.handle.db.license.update({ where: { id: license.id }, data: { overage } });
    return license;
  };
  const activate = (key: string, fingerprint = unique("m")) =>
    activateSession(client, {
      licenseKey: key,
      client: { productCode: world.product.code, fingerprint, hostname: fingerprint },
    });
  const tally = (answers: ActivateAnswer[]) => {
    const counts: Record<string, number> = {};
    for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
    return counts;
  };
  const overageEvents = (licenseId: string) =>
    db.handle.db.auditEvent
      .findMany({
        where: { targetId: licenseId, action: "license.overage" },
        orderBy: { seq: "asc" },
        select: { summary: true },
      })
      .then((rows) => rows.map((r) => JSON.parse(r.summary) as Record<string, unknown>));
  const open = (licenseId: string) => db.handle.db.session.count({ where: { licenseId, endedAt: null } });

  /** activates one machine after the other until refused (or `max`), returns the answers */
  const fill = async (key: string, max: number) => {
    const answers: ActivateAnswer[] = [];
    for (let i = 0; i < max; i++) {
      const answer = await activate(key);
      answers.push(answer);
      if (answer.status !== "VALID") break;
    }
    return answers;
  };

  for (const [overage, granted] of [
    ["none", 4],
    ["x1_25", 5],
    ["x1_5", 6],
    ["x2", 8],
  ] as const) {
    it(`${overage}: a 4-seat license grants exactly ${granted} seats, those beyond 4 in overage`, async () => {
      const metricBefore = await overageMetric(world.product.code);
      const license = await floating(overage);
      const answers = await fill(license.key, 20);
      expect(tally(answers)).toEqual({ VALID: granted, SEAT_LIMIT_REACHED: 1 });
      const valid = answers.filter((a) => a.status === "VALID");
      expect(valid.map((a) => a.standing?.seatsInUse)).toEqual(
        Array.from({ length: granted }, (_, i) => i + 1),
      );
      expect(valid.map((a) => a.standing?.overage)).toEqual(
        Array.from({ length: granted }, (_, i) => i + 1 > 4),
      );
      const refusal = answers.at(-1);
      expect(refusal?.standing).toBeNull();
      expect(refusal?.message).toBe(
        overage === "none"
          ? "all 4 seats are in use"
          : `all 4 seats and the overage allowance (${overage}: ${granted - 4} more seat${granted - 4 === 1 ? "" : "s"}, ${granted} in all) are in use`,
      );
      expect(await open(license.id)).toBe(granted);
      const events = await overageEvents(license.id);
      expect(events.map((e) => e.seatsInUse)).toEqual(Array.from({ length: granted - 4 }, (_, i) => 5 + i));
      if (granted > 4) {
        expect(events[0]).toMatchObject({ seatLimit: 4, allowed: granted, overage });
      }
      expect((await overageMetric(world.product.code)) - metricBefore).toBe(granted - 4);
    });
  }

  it("always: no cap, every seat beyond the limit in overage, audited with allowed null", async () => {
    const metricBefore = await overageMetric(world.product.code);
    const license = await floating("always", 2);
    const answers = await fill(license.key, 12);
    expect(tally(answers)).toEqual({ VALID: 12 });
    expect(answers.filter((a) => a.standing?.overage)).toHaveLength(10);
    expect(answers.at(-1)?.standing?.seatsInUse).toBe(12);
    const events = await overageEvents(license.id);
    expect(events).toHaveLength(10);
    expect(events[0]).toMatchObject({ seatsInUse: 3, seatLimit: 2, allowed: null, overage: "always" });
    expect((await overageMetric(world.product.code)) - metricBefore).toBe(10);
  });

  it("a machine resuming its session takes no second seat and is not counted again", async () => {
    const license = await floating("x1_5", 2);
    const fingerprints = ["r1", "r2", "r3"];
    for (const fp of fingerprints) expect((await activate(license.key, fp)).status).toBe("VALID");
    const metric = await overageMetric(world.product.code);
    const again = await activate(license.key, "r3");
    expect(again).toMatchObject({
      status: "VALID",
      resumed: true,
      standing: { seatsInUse: 3, overage: true },
    });
    expect(await overageEvents(license.id)).toHaveLength(1);
    expect(await overageMetric(world.product.code)).toBe(metric);
    expect((await activate(license.key, "r4")).status).toBe("SEAT_LIMIT_REACHED");
  });

  it("node-locked licenses have no overage", async () => {
    const license = await floating("x2", 2, "node_locked");
    const answers = await fill(license.key, 5);
    // the third machine is refused by the binding, before seats are counted
    expect(tally(answers)).toEqual({ VALID: 2, FINGERPRINT_MISMATCH: 1 });
    expect(answers.every((a) => a.status !== "VALID" || a.standing?.overage === false)).toBe(true);
    expect(await overageEvents(license.id)).toEqual([]);
  });

  it("50 concurrent activations on a 4-seat x1_5 license grant exactly 6 seats", async () => {
    const metricBefore = await overageMetric(world.product.code);
    const license = await floating("x1_5", 4);
    const answers = await Promise.all(Array.from({ length: 50 }, () => activate(license.key)));
    expect(tally(answers)).toEqual({ VALID: 6, SEAT_LIMIT_REACHED: 44 });
    expect(await open(license.id)).toBe(6);
    const inUse = answers.filter((a) => a.status === "VALID").map((a) => a.standing?.seatsInUse);
    expect(inUse.sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await overageEvents(license.id)).map((e) => e.seatsInUse)).toEqual([5, 6]);
    expect((await overageMetric(world.product.code)) - metricBefore).toBe(2);
  });
});
