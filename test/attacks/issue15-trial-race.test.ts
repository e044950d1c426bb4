// Attack: a second trial on one machine by racing StartTrial, through the real licensing API
// (gRPC on loopback and the REST twin at once), on both databases. The requests carry different
// fingerprints and the same components (policy rules any, most, all), or one fingerprint and
// different components (rule fingerprint): exactly one trial is issued, every other request is
// TRIAL_ALREADY_USED, and nothing half-written is left behind.
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  StartTrialResponse,
  StatusCode,
  type ClientInfo,
} from "../../src/generated/proto/license/v1/license.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";
import { components, makeTrialProduct } from "../support/trials.ts";

const statusName = (code: StatusCode) => StatusCode[code].replace("STATUS_CODE_", "");
const RACERS = 12;

describeEachDb("issue 15 attacks: racing StartTrial for a second trial", (getDb) => {
  let db: TestDb;
  let server: LicensingServer;

  beforeAll(async () => {
    db = getDb();
    server = await startLicensingServer(db, { licensing: { trialRateLimitPerHour: 10_000 } });
  });
  afterAll(async () => {
    await server.close();
  });

  /** Half the racers on gRPC, half on the REST twin, all at once; the statuses by name. */
  async function race(clients: ClientInfo[]): Promise<string[]> {
    return Promise.all(
      clients.map(async (client, i) => {
        if (i % 2 === 0) return statusName((await server.client.startTrial({ client, email: "" })).status);
        const response = await server.rest("start-trial", { client });
        expect(response.status).toBe(200);
        return statusName(StartTrialResponse.fromJSON(await response.json()).status);
      }),
    );
  }

  async function rows(productId: string) {
    const d = db.handle.db;
    return {
      trials: await d.trial.count({ where: { productId } }),
      licenses: await d.license.count({ where: { productId } }),
      bindings: await d.machineBinding.count({ where: { license: { productId } } }),
      audits: await d.auditEvent.count({ where: { action: "trial.start" } }),
    };
  }

  for (const rule of ["any", "most", "all"] as const) {
    it(`rule ${rule}: ${RACERS} fingerprints with the same components get one trial`, async () => {
      const { product } = await makeTrialProduct(db, { machineMatching: rule });
      const auditsBefore = await db.handle.db.auditEvent.count({ where: { action: "trial.start" } });
      const parts = components({ board: "b-1", disk: "d-1", cpu: "c-1", mac: "m-1" });
      const statuses = await race(
        Array.from({ length: RACERS }, () => ({
          productCode: product.code,
          fingerprint: fingerprint(),
          clientVersion: "1.0.0",
          hostname: "racer",
          components: parts,
        })),
      );
      expect(statuses.filter((s) => s === "VALID")).toHaveLength(1);
      expect(statuses.filter((s) => s === "TRIAL_ALREADY_USED")).toHaveLength(RACERS - 1);
      const after = await rows(product.id);
      expect({ ...after, audits: after.audits - auditsBefore }).toEqual({
        trials: 1,
        licenses: 1,
        bindings: 1,
        audits: 1,
      });
      // and later, components in another order with one part changed (most/any) or the same set (all)
      const changed =
        rule === "all"
          ? components({ mac: "m-1", cpu: "c-1", disk: "d-1", board: "b-1" })
          : components({ mac: "m-1", cpu: "c-1", disk: "d-1", board: "b-NEW" });
      const later = await server.client.startTrial({
        client: {
          productCode: product.code,
          fingerprint: fingerprint(),
          clientVersion: "1.0.0",
          hostname: "racer",
          components: changed,
        },
        email: "",
      });
      expect(statusName(later.status)).toBe("TRIAL_ALREADY_USED");
    });
  }

  it("rule fingerprint: one fingerprint with different components each time gets one trial", async () => {
    const { product } = await makeTrialProduct(db, { machineMatching: "fingerprint" });
    const fp = fingerprint();
    const statuses = await race(
      Array.from({ length: RACERS }, (_, i) => ({
        productCode: product.code,
        fingerprint: fp,
        clientVersion: "1.0.0",
        hostname: "racer",
        components: components({ board: `b-${i}` }),
      })),
    );
    expect(statuses.filter((s) => s === "VALID")).toHaveLength(1);
    expect(statuses.filter((s) => s === "TRIAL_ALREADY_USED")).toHaveLength(RACERS - 1);
    const after = await rows(product.id);
    expect({ trials: after.trials, licenses: after.licenses, bindings: after.bindings }).toEqual({
      trials: 1,
      licenses: 1,
      bindings: 1,
    });
    // surrounding spaces do not make another fingerprint
    const padded = await server.client.startTrial({
      client: {
        productCode: product.code,
        fingerprint: `  ${fp}  `,
        clientVersion: "",
        hostname: "",
        components: [],
      },
      email: "",
    });
    expect(statusName(padded.status)).toBe("TRIAL_ALREADY_USED");
  });
});
