// The 200-activation seat race with the machine loaded: busy-looping processes beside the server
// slow every transaction, so activations queue for the pool and for the license row's lock. Every
// answer must still be a seat decision (exactly seatLimit VALID, the rest SEAT_LIMIT_REACHED) or
// UNAVAILABLE with RetryInfo (the SDK then lets its offline tiers decide) — never INTERNAL. Before
// the fix, the loaded race on PostgreSQL answered INTERNAL (Prisma's P2028: the transaction could
// not start within maxWait) for 17–70 of 200 calls after ~12 s. Timings are printed; the figures
// of runs are in the README ("Under load"). The same race without the hogs runs in
// test/api/licensing-api.test.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { Status } from "nice-grpc";
import { RetryInfo, RichClientError } from "nice-grpc-error-details";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ActivateResponse, StatusCode } from "../../src/generated/proto/license/v1/license.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeCustomer, makeGroup, makeLicense, makeProduct } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";

/** busy-looping processes beside the server (2 cores here: 5 of them give a load average ~6–12) */
const HOGS = Number(process.env.LOAD_TEST_HOGS ?? 5);
const SEATS = 10;
const CALLS = 200;
/** a hog ends itself after this, even if the test process dies without stopping it */
const HOG_LIFETIME_MS = 60_000;

function startHogs(count: number): ChildProcess[] {
  const loop = `const end = Date.now() + ${HOG_LIFETIME_MS}; while (Date.now() < end) {}`;
  return Array.from({ length: count }, () => spawn(process.execPath, ["-e", loop], { stdio: "ignore" }));
}

describeEachDb("the seat race under load", (getDb) => {
  let db: TestDb;
  let server: LicensingServer;
  let newLicense: () => ReturnType<typeof makeLicense>;
  let productCode: string;

  beforeAll(async () => {
    db = getDb();
    server = await startLicensingServer(db);
    const group = await makeGroup(db);
    const { product } = await makeProduct(db);
    const customer = await makeCustomer(db, group.id);
    productCode = product.code;
    newLicense = () =>
      makeLicense(db, customer.id, product.id, { seatLimit: SEATS, heartbeatIntervalSeconds: 60 });
  });
  afterAll(async () => {
    await server.close();
  });

  /** 200 activations at once from 200 machines; each outcome as a status name. */
  async function race(label: string) {
    const license = await newLicense();
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: CALLS }, async () => {
        try {
          // the bare client: the verifying one reads the keyring from the server's database per
          // call, and would queue for the same pool as the calls it measures
          const envelope = await server.raw.activate({
            licenseKey: license.key,
            client: { productCode, fingerprint: fingerprint(), clientVersion: "1.0.0", hostname: "host" },
            nonce: randomBytes(16),
          });
          return StatusCode[ActivateResponse.decode(envelope.answer).status].replace("STATUS_CODE_", "");
        } catch (error) {
          if (!(error instanceof RichClientError)) return `ERROR ${String(error)}`;
          const retry = error.extra.some((d) => d.$type === RetryInfo.$type);
          return `${Status[error.code]}${retry ? "" : " (no RetryInfo)"}`;
        }
      }),
    );
    const ms = Math.round(performance.now() - started);
    const counts: Record<string, number> = {};
    for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
    const load = loadavg()[0]?.toFixed(1);
    console.log(`[${db.provider}] ${label}: ${CALLS} activations in ${ms} ms, load ${load}`, counts);

    const { VALID = 0, SEAT_LIMIT_REACHED = 0, UNAVAILABLE = 0, ...others } = counts;
    expect(others, "answers other than a seat decision or UNAVAILABLE with RetryInfo").toEqual({});
    expect(VALID + SEAT_LIMIT_REACHED + UNAVAILABLE).toBe(CALLS);
    // never oversold; a refusal means the seats were full; calls shed as UNAVAILABLE (a machine
    // loaded far past the hogs can shed them all) take no seat
    expect(VALID).toBeLessThanOrEqual(SEATS);
    if (SEAT_LIMIT_REACHED > 0) expect(VALID).toBe(SEATS);
    expect(await db.handle.db.session.count({ where: { licenseId: license.id, endedAt: null } })).toBe(VALID);
    return { ms, counts };
  }

  it(`beside ${HOGS} CPU hogs: seat decisions or UNAVAILABLE with RetryInfo, never INTERNAL`, async () => {
    const hogs = startHogs(HOGS);
    try {
      // let the hogs get going (and the load average climb) before the race
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await race(`beside ${HOGS} CPU hogs`);
    } finally {
      for (const hog of hogs) hog.kill("SIGKILL");
    }
  });
});
