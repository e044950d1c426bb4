// Attack: taking a node-locked license's place, or seats beyond the overage allowance, with
// forged components, through the real licensing API (gRPC on loopback and the REST twin at once),
// on both databases:
// - a second machine sending the bound machine's exact component hashes is refused under the
//   rule fingerprint; under all/most it needs all/more than half of them (a subset, a changed hash
//   or half is refused) and the binding stays;
// - many machines at once with the same forged components never get more places than the seat
//   limit (fingerprint) and never more than one binding (most);
// - concurrent activations with forged components on a floating x1_25 license get exactly
//   floor(seatLimit × 1.25) seats.
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  ActivateResponse,
  StatusCode,
  ValidateResponse,
  type ClientInfo,
} from "../../src/generated/proto/license/v1/license.ts";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import type { TCreateLicenseInput } from "../../src/server/core/licenses/schemas.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeCustomer, makeGroup, makeProduct } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";
import { components } from "../support/trials.ts";

const statusName = (code: StatusCode) => StatusCode[code].replace("STATUS_CODE_", "");
const PARTS = { board: "b-A", disk: "d-A", cpu: "c-A", mac: "m-A" };

describeEachDb("issue 15 attacks: stealing bindings and seats with forged components", (getDb) => {
  let db: TestDb;
  let server: LicensingServer;

  beforeAll(async () => {
    db = getDb();
    server = await startLicensingServer(db);
  });
  afterAll(async () => {
    await server.close();
  });

  async function license(terms: Partial<TCreateLicenseInput>) {
    const group = await makeGroup(db);
    const { product } = await makeProduct(db);
    const customer = await makeCustomer(db, group.id);
    const created = await createLicense(db.ctx(), {
      customerId: customer.id,
      productId: product.id,
      ...terms,
    });
    return { ...created, productCode: product.code };
  }

  const client = (productCode: string, fp: string, parts: Record<string, string>): ClientInfo => ({
    productCode,
    fingerprint: fp,
    clientVersion: "1.0.0",
    hostname: fp,
    components: components(parts),
  });

  async function bindings(licenseId: string) {
    return db.handle.db.machineBinding.findMany({ where: { licenseId }, select: { fingerprint: true } });
  }

  it("rule fingerprint: the bound machine's exact components do not move the binding", async () => {
    const l = await license({ type: "node_locked", seatLimit: 1, machineMatching: "fingerprint" });
    const a = fingerprint();
    expect(
      statusName(
        (await server.client.validate({ licenseKey: l.key, client: client(l.productCode, a, PARTS) })).status,
      ),
    ).toBe("VALID");
    const thief = await server.client.validate({
      licenseKey: l.key,
      client: client(l.productCode, fingerprint(), PARTS),
    });
    expect(statusName(thief.status)).toBe("FINGERPRINT_MISMATCH");
    expect(thief.graceToken).toBe("");
    const activate = await server.client.activate({
      licenseKey: l.key,
      client: client(l.productCode, fingerprint(), PARTS),
      metadata: {},
    });
    expect(statusName(activate.status)).toBe("FINGERPRINT_MISMATCH");
    expect(await bindings(l.id)).toEqual([{ fingerprint: a }]);
  });

  it("rules all and most: a subset, a changed hash or half of the components is refused", async () => {
    const all = await license({ type: "node_locked", seatLimit: 1, machineMatching: "all" });
    const most = await license({ type: "node_locked", seatLimit: 1, machineMatching: "most" });
    const a = fingerprint();
    const b = fingerprint();
    await server.client.validate({ licenseKey: all.key, client: client(all.productCode, a, PARTS) });
    await server.client.validate({ licenseKey: most.key, client: client(most.productCode, b, PARTS) });
    const { mac: _mac, ...threeOfFour } = PARTS;
    for (const parts of [threeOfFour, { ...PARTS, mac: "m-X" }, { ...threeOfFour, gpu: "m-A" }]) {
      const answer = await server.client.validate({
        licenseKey: all.key,
        client: client(all.productCode, fingerprint(), parts),
      });
      expect(statusName(answer.status), JSON.stringify(parts)).toBe("FINGERPRINT_MISMATCH");
    }
    const halves: Record<string, string>[] = [
      { board: "b-A", disk: "d-A" },
      { board: "b-A", disk: "d-A", cpu: "c-X", mac: "m-X" },
      { board: "b-A", disk: "d-A", extra1: "e1", extra2: "e2", extra3: "e3" },
    ];
    for (const parts of halves) {
      const answer = await server.client.validate({
        licenseKey: most.key,
        client: client(most.productCode, fingerprint(), parts),
      });
      expect(statusName(answer.status), JSON.stringify(parts)).toBe("FINGERPRINT_MISMATCH");
    }
    expect(await bindings(all.id)).toEqual([{ fingerprint: a }]);
    expect(await bindings(most.id)).toEqual([{ fingerprint: b }]);
    // no stray audit of a machine update from the refusals
    expect(
      await db.handle.db.auditEvent.count({
        where: { action: "machine.update", targetId: { in: [all.id, most.id] } },
      }),
    ).toBe(0);
  });

  it("rule fingerprint, 2 places: 16 machines at once with the same forged components get exactly 2", async () => {
    const l = await license({ type: "node_locked", seatLimit: 2, machineMatching: "fingerprint" });
    const statuses = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        const c = client(l.productCode, fingerprint(), PARTS);
        if (i % 2 === 0)
          return statusName((await server.client.validate({ licenseKey: l.key, client: c })).status);
        const response = await server.rest(i % 4 === 1 ? "validate" : "activate", {
          licenseKey: l.key,
          client: c,
        });
        expect(response.status).toBe(200);
        const json: unknown = await response.json();
        return statusName(
          (i % 4 === 1 ? ValidateResponse.fromJSON(json) : ActivateResponse.fromJSON(json)).status,
        );
      }),
    );
    expect(statuses.filter((s) => s === "VALID")).toHaveLength(2);
    expect(statuses.filter((s) => s === "FINGERPRINT_MISMATCH")).toHaveLength(14);
    expect(await bindings(l.id)).toHaveLength(2);
  });

  it("rule most, 1 place: 12 machines at once presenting the bound components leave one binding", async () => {
    const l = await license({ type: "node_locked", seatLimit: 1, machineMatching: "most" });
    await server.client.validate({ licenseKey: l.key, client: client(l.productCode, fingerprint(), PARTS) });
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        server.client.validate({ licenseKey: l.key, client: client(l.productCode, fingerprint(), PARTS) }),
      ),
    );
    // each is recognised (the documented price of tolerance), but no second place is ever taken
    expect(answers.every((a) => statusName(a.status) === "VALID" && a.standing?.machineUpdated)).toBe(true);
    expect(await bindings(l.id)).toHaveLength(1);
    const updates = await db.handle.db.auditEvent.count({
      where: { action: "machine.update", targetId: l.id },
    });
    expect(updates).toBe(12);
  });

  it("overage x1_25 on 4 seats: 20 concurrent activations with forged components get exactly 5", async () => {
    const l = await license({ type: "floating", seatLimit: 4, overage: "x1_25" });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const c = client(l.productCode, fingerprint(), PARTS);
        if (i % 2 === 0)
          return statusName(
            (await server.client.activate({ licenseKey: l.key, client: c, metadata: {} })).status,
          );
        const response = await server.rest("activate", { licenseKey: l.key, client: c });
        return statusName(ActivateResponse.fromJSON(await response.json()).status);
      }),
    );
    expect(statuses.filter((s) => s === "VALID")).toHaveLength(5);
    expect(statuses.filter((s) => s === "SEAT_LIMIT_REACHED")).toHaveLength(15);
    expect(await db.handle.db.session.count({ where: { licenseId: l.id, endedAt: null } })).toBe(5);
    expect(
      await db.handle.db.auditEvent.count({ where: { action: "license.overage", targetId: l.id } }),
    ).toBe(1);
  });
});
