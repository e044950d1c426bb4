// Tolerant machine matching on node-locked licenses: a machine whose fingerprint changed is
// recognised by its hashed components under the license's rule (any / most / all) and its binding
// updated in place; the fingerprint rule never matches by components. Driven through Validate and
// Activate with the test clock; each test checks the stored bindings and the audit trail.
import { decodeJwt } from "jose";
import { beforeAll, expect, it } from "vitest";
import type { MachineMatching } from "../../src/server/core/licenses/select.ts";
import { listMachines } from "../../src/server/core/machines/list-machines.ts";
import { activateSession } from "../../src/server/core/sessions/activate-session.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import type { LicensingContext } from "../../src/server/core/validation/licensing-context.ts";
import { validateLicense } from "../../src/server/core/validation/validate-license.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeLicense, makeWorld } from "../support/fixtures.ts";
import { testClientContext } from "../support/licensing.ts";

const HOUR_MS = 3_600_000;
const KINDS = ["board", "disk", "cpu", "mac"] as const;
/** the machine's four components, the first `same` of them as bound, the others changed */
const parts = (same = 4, tag = "a"): { kind: string; hash: string }[] =>
  KINDS.map((kind, i) => ({ kind, hash: i < same ? `${tag}-${kind}` : `${tag}-${kind}-new` }));

describeEachDb("machine matching by components", (getDb) => {
  let db: TestDb;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  let client: LicensingContext;

  beforeAll(async () => {
    db = getDb();
    world = await makeWorld(db);
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    client = testClientContext(db, "10.0.0.7", 60);
  });

  const nodeLocked = async (machineMatching: MachineMatching, seatLimit = 1) => {
    const license = await makeLicense(db, world.customer.id, world.product.id, {
      type: "node_locked",
      seatLimit,
      entitlements: [],
    });
    // the term as a policy would have set it (policies are another area's)
    await db.handle.db.license.update({ where: { id: license.id }, data: { machineMatching } });
    return license;
  };
  const validate = (key: string, fingerprint: string, components = parts()) =>
    validateLicense(client, {
      licenseKey: key,
      client: { productCode: world.product.code, fingerprint, hostname: `host-${fingerprint}`, components },
    });
  const bindings = (licenseId: string) =>
    db.handle.db.machineBinding.findMany({
      where: { licenseId },
      orderBy: { boundAt: "asc" },
      select: { id: true, fingerprint: true, hostname: true, components: true },
    });
  const updates = (licenseId: string) =>
    db.handle.db.auditEvent
      .findMany({ where: { targetId: licenseId, action: "machine.update" }, select: { summary: true } })
      .then((rows) => rows.map((r) => JSON.parse(r.summary) as Record<string, unknown>));

  /** binds "old" with the full components, then presents "new" with `same` of 4 equal */
  const changed = async (rule: MachineMatching, same: number) => {
    const license = await nodeLocked(rule);
    expect((await validate(license.key, "old")).status).toBe("VALID");
    return { license, answer: await validate(license.key, "new", parts(same)) };
  };

  it("any: one equal component of four recognises the machine", async () => {
    const { license, answer } = await changed("any", 1);
    expect(answer.status).toBe("VALID");
    expect(answer.standing?.machineUpdated).toBe(true);
    expect((await bindings(license.id)).map((b) => b.fingerprint)).toEqual(["new"]);
  });

  it("any: no equal component is another machine", async () => {
    const { license, answer } = await changed("any", 0);
    expect(answer.status).toBe("FINGERPRINT_MISMATCH");
    expect(answer.standing).toBeNull();
    expect((await bindings(license.id)).map((b) => b.fingerprint)).toEqual(["old"]);
    expect(await updates(license.id)).toEqual([]);
  });

  it("most: three of four recognise the machine, two of four do not (no free place)", async () => {
    const three = await changed("most", 3);
    expect(three.answer).toMatchObject({ status: "VALID", standing: { machineUpdated: true } });
    const two = await changed("most", 2);
    expect(two.answer.status).toBe("FINGERPRINT_MISMATCH");
    expect((await bindings(two.license.id)).map((b) => b.fingerprint)).toEqual(["old"]);
  });

  it("all: four of four recognise the machine, three of four do not", async () => {
    const four = await changed("all", 4);
    expect(four.answer).toMatchObject({ status: "VALID", standing: { machineUpdated: true } });
    const three = await changed("all", 3);
    expect(three.answer.status).toBe("FINGERPRINT_MISMATCH");
  });

  it("fingerprint: the same components with a new fingerprint are another machine", async () => {
    const { license, answer } = await changed("fingerprint", 4);
    expect(answer.status).toBe("FINGERPRINT_MISMATCH");
    expect((await bindings(license.id)).map((b) => b.fingerprint)).toEqual(["old"]);
  });

  it("a changed fingerprint with the same components updates the binding in place, audited, with a grace token for the new fingerprint", async () => {
    const license = await nodeLocked("most");
    await validate(license.key, "old");
    const [before] = await bindings(license.id);
    db.clock.advance(1000);
    const answer = await validate(license.key, "new", parts(4));
    expect(answer).toMatchObject({ status: "VALID", standing: { machineUpdated: true } });
    expect(decodeJwt(answer.grace?.token ?? "").fp).toBe("new");

    const after = await bindings(license.id);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: before?.id, fingerprint: "new", hostname: "host-new" });
    expect(await updates(license.id)).toEqual([
      expect.objectContaining({
        bindingId: before?.id,
        from: "old",
        to: "new",
        machineMatching: "most",
        matched: ["board", "cpu", "disk", "mac"],
      }),
    ]);
    // the next validation is an ordinary bound machine's
    const again = await validate(license.key, "new", parts(4));
    expect(again).toMatchObject({ status: "VALID", standing: { machineUpdated: false } });
    // the old fingerprint without components is a stranger now: the one place is taken
    expect((await validate(license.key, "old", [])).status).toBe("FINGERPRINT_MISMATCH");
    // the admin view counts the components
    const [shown] = await listMachines(db.ctx(), { licenseId: license.id });
    expect(shown).toMatchObject({ fingerprint: "new", components: 4 });
  });

  it("a matched machine takes no free place: the binding moves instead of a second one", async () => {
    const license = await nodeLocked("any", 2);
    await validate(license.key, "old");
    const answer = await validate(license.key, "new", parts(2));
    expect(answer.standing?.machineUpdated).toBe(true);
    expect((await bindings(license.id)).map((b) => b.fingerprint)).toEqual(["new"]);
    // a machine with none of its components binds the second place as before
    expect((await validate(license.key, "other", parts(4, "b"))).standing?.machineUpdated).toBe(false);
    expect(await bindings(license.id)).toHaveLength(2);
  });

  it("two bindings matching: the one with the most equal components is updated", async () => {
    // bound while the license matched by fingerprint (m2 would otherwise have been taken for m1)
    const license = await nodeLocked("fingerprint", 2);
    await validate(license.key, "m1", [
      { kind: "board", hash: "B" },
      { kind: "disk", hash: "D1" },
      { kind: "cpu", hash: "C1" },
    ]);
    await validate(license.key, "m2", [
      { kind: "board", hash: "B" },
      { kind: "disk", hash: "D2" },
      { kind: "cpu", hash: "C2" },
    ]);
    await db.handle.db.license.update({ where: { id: license.id }, data: { machineMatching: "any" } });
    const answer = await validate(license.key, "m2-new", [
      { kind: "board", hash: "B" },
      { kind: "disk", hash: "D2" },
      { kind: "cpu", hash: "C9" },
    ]);
    expect(answer.standing?.machineUpdated).toBe(true);
    expect((await bindings(license.id)).map((b) => b.fingerprint).sort()).toEqual(["m1", "m2-new"]);
    expect((await updates(license.id))[0]).toMatchObject({ from: "m2", matched: ["board", "disk"] });
  });

  it("a client without components, or a binding without them, matches only by fingerprint", async () => {
    const license = await nodeLocked("any");
    await validate(license.key, "bare", []);
    expect((await validate(license.key, "bare-new", parts(4))).status).toBe("FINGERPRINT_MISMATCH");
    const other = await nodeLocked("any");
    await validate(other.key, "old");
    expect((await validate(other.key, "new", [])).status).toBe("FINGERPRINT_MISMATCH");
  });

  it("a bound machine's changed components are stored at its next sighting past the resolution", async () => {
    const license = await nodeLocked("all");
    await validate(license.key, "m");
    const stored = async () => JSON.parse((await bindings(license.id))[0]?.components ?? "{}") as object;
    expect(await stored()).toEqual(Object.fromEntries(parts().map((c) => [c.kind, c.hash])));
    // within the resolution: a read only
    await validate(license.key, "m", parts(3));
    expect(await stored()).toMatchObject({ mac: "a-mac" });
    db.clock.advance(HOUR_MS + 1000);
    await validate(license.key, "m", parts(3));
    expect(await stored()).toMatchObject({ cpu: "a-cpu", mac: "a-mac-new" });
    // none sent: the stored ones stay
    db.clock.advance(HOUR_MS + 1000);
    await validate(license.key, "m", []);
    expect(await stored()).toMatchObject({ mac: "a-mac-new" });
  });

  it("Activate: the machine with a new fingerprint resumes its open session instead of taking a seat", async () => {
    const license = await nodeLocked("most");
    const activate = (fingerprint: string, same = 4) =>
      activateSession(client, {
        licenseKey: license.key,
        client: {
          productCode: world.product.code,
          fingerprint,
          hostname: fingerprint,
          components: parts(same),
        },
      });
    const first = await activate("old");
    expect(first).toMatchObject({ status: "VALID", standing: { machineUpdated: false, seatsInUse: 1 } });
    const second = await activate("new", 3);
    expect(second).toMatchObject({
      status: "VALID",
      resumed: true,
      sessionId: first.sessionId,
      standing: { machineUpdated: true, seatsInUse: 1 },
    });
    expect(decodeJwt(second.grace?.token ?? "").fp).toBe("new");
    const session = await db.handle.db.session.findUniqueOrThrow({
      where: { id: first.sessionId ?? "" },
      select: { fingerprint: true },
    });
    expect(session.fingerprint).toBe("new");
    expect((await updates(license.id))[0]).toMatchObject({ from: "old", to: "new", sessionsMoved: 1 });
  });

  it("refuses malformed components with a field path and binds nothing", async () => {
    const license = await nodeLocked("any");
    await expect(
      validate(license.key, "m", [
        { kind: "board", hash: "x" },
        { kind: "board", hash: "y" },
      ]),
    ).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(validate(license.key, "m", [{ kind: "Board!", hash: "x" }])).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    expect(await bindings(license.id)).toEqual([]);
  });
});
