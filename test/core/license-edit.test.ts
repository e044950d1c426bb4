// Editing a license after issue: its expiry through updateLicense (one operation, one transaction,
// one audit record with before and after), with the rules of the other term changes.
import { describe, expect, it } from "vitest";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { ZUpdateLicenseInput } from "../../src/server/core/licenses/schemas.ts";
import { revokeLicense } from "../../src/server/core/licenses/revoke-license.ts";
import { updateLicense } from "../../src/server/core/licenses/update-license.ts";
import { createPolicy } from "../../src/server/core/policies/create-policy.ts";
import { updatePolicy } from "../../src/server/core/policies/update-policy.ts";
import { actor, describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { auditCount, makeWorld, unique } from "../support/fixtures.ts";

const DAY = 86_400_000;

async function stored(db: TestDb, id: string) {
  return db.handle.db.license.findUniqueOrThrow({
    where: { id },
    select: {
      expiresAt: true,
      durationDays: true,
      durationFrom: true,
      overrides: true,
      seatLimit: true,
      heartbeatIntervalSeconds: true,
      updatedAt: true,
    },
  });
}

async function updateEvents(db: TestDb, id: string) {
  const rows = await db.handle.db.auditEvent.findMany({
    where: { targetId: id, action: "license.update" },
    select: { summary: true },
    orderBy: { seq: "asc" },
  });
  return rows.map((r) => JSON.parse(r.summary) as Record<string, unknown>);
}

describeEachDb("license edits", (getDb) => {
  describe("expiry", () => {
    it("sets, moves and removes the expiry with the terms, in one audit record with before and after", async () => {
      const db = getDb();
      const { license } = await makeWorld(db);
      const start = license.startsAt;
      const first = new Date(start.getTime() + 100 * DAY);
      const updated = await updateLicense(db.ctx(), {
        id: license.id,
        seatLimit: 7,
        heartbeatIntervalSeconds: 600,
        expiresAt: first.toISOString(),
      });
      expect(updated).toMatchObject({ seatLimit: 7, heartbeatIntervalSeconds: 600, expiresAt: first });
      expect(await stored(db, license.id)).toMatchObject({
        expiresAt: first,
        seatLimit: 7,
        heartbeatIntervalSeconds: 600,
      });
      const [event] = await updateEvents(db, license.id);
      expect(event).toEqual({
        seatLimit: { from: 3, to: 7 },
        heartbeatIntervalSeconds: { from: 300, to: 600 },
        expiresAt: { from: null, to: first.toISOString() },
      });

      // the same date again changes nothing (the dialog always sends it)
      await updateLicense(db.ctx(), { id: license.id, expiresAt: first, seatLimit: 7 });
      const [, same] = await updateEvents(db, license.id);
      expect(same).toEqual({});

      const later = new Date(start.getTime() + 400 * DAY);
      await updateLicense(db.ctx(), { id: license.id, expiresAt: later });
      expect((await stored(db, license.id)).expiresAt).toEqual(later);
      await updateLicense(db.ctx(), { id: license.id, expiresAt: null });
      expect((await stored(db, license.id)).expiresAt).toBeNull();
      const events = await updateEvents(db, license.id);
      expect(events.slice(2)).toEqual([
        { expiresAt: { from: first.toISOString(), to: later.toISOString() } },
        { expiresAt: { from: later.toISOString(), to: null } },
      ]);
    });

    it("refuses an expiry on or before the start, naming the field, and writes nothing", async () => {
      const db = getDb();
      const { license } = await makeWorld(db);
      const audits = await auditCount(db);
      const before = await stored(db, license.id);
      for (const expiresAt of [license.startsAt, new Date(license.startsAt.getTime() - DAY)]) {
        const error = await expectDomainError(
          updateLicense(db.ctx(), { id: license.id, seatLimit: 9, expiresAt }),
          "INVALID_ARGUMENT",
        );
        expect(error.fields.map((f) => f.path)).toEqual(["expiresAt"]);
      }
      expect(await stored(db, license.id)).toEqual(before);
      expect(await auditCount(db)).toBe(audits);
    });

    it("refuses a malformed expiry in the schema the dialog uses", async () => {
      const db = getDb();
      const { license } = await makeWorld(db);
      const parsed = ZUpdateLicenseInput.safeParse({ id: license.id, expiresAt: "next tuesday" });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(["expiresAt"]);
      await expectDomainError(
        updateLicense(db.ctx(), { id: license.id, expiresAt: "next tuesday" }),
        "INVALID_ARGUMENT",
      );
    });

    it("refuses any change to a revoked license", async () => {
      const db = getDb();
      const { license } = await makeWorld(db);
      await revokeLicense(db.ctx(), { id: license.id });
      const before = await stored(db, license.id);
      await expectDomainError(
        updateLicense(db.ctx(), {
          id: license.id,
          expiresAt: new Date(license.startsAt.getTime() + 10 * DAY),
        }),
        "FAILED_PRECONDITION",
      );
      expect(await stored(db, license.id)).toEqual(before);
    });

    it("needs license.write and the customer in the admin's groups", async () => {
      const db = getDb();
      const { license, groupA, groupB } = await makeWorld(db);
      const expiresAt = new Date(license.startsAt.getTime() + 10 * DAY);
      await expectDomainError(
        updateLicense(db.ctx(actor("viewer", [groupA.id])), { id: license.id, expiresAt }),
        "FORBIDDEN",
      );
      await expectDomainError(
        updateLicense(db.ctx(actor("editor", [groupB.id])), { id: license.id, expiresAt }),
        "NOT_FOUND",
      );
      expect((await stored(db, license.id)).expiresAt).toBeNull();
      await updateLicense(db.ctx(actor("editor", [groupA.id])), { id: license.id, expiresAt });
      expect((await stored(db, license.id)).expiresAt).toEqual(expiresAt);
    });
  });

  describe("on a license issued from a policy", () => {
    it("makes the duration an override, which a policy change then leaves alone", async () => {
      const db = getDb();
      const world = await makeWorld(db);
      const policy = await createPolicy(db.ctx(), {
        productId: world.product.id,
        name: unique("Pro"),
        seatLimit: 5,
        durationDays: 30,
        durationFrom: "first_activation",
      });
      const license = await createLicense(db.ctx(), { customerId: world.customer.id, policyId: policy.id });
      expect(license.overrides).toEqual([]);
      expect(license.expiresAt).toBeNull();

      const expiresAt = new Date(license.startsAt.getTime() + 90 * DAY);
      const updated = await updateLicense(db.ctx(), { id: license.id, expiresAt });
      expect(updated.overrides).toEqual(["duration"]);
      // a fixed date, as when issued with one: no duration left to count from the first activation
      expect(await stored(db, license.id)).toMatchObject({
        expiresAt,
        durationDays: null,
        durationFrom: "issue",
        overrides: JSON.stringify(["duration"]),
      });
      const [event] = await updateEvents(db, license.id);
      expect(event).toMatchObject({
        expiresAt: { from: null, to: expiresAt.toISOString() },
        durationDays: { from: 30, to: null },
        durationFrom: { from: "first_activation", to: "issue" },
        overrides: { from: [], to: ["duration"] },
      });

      await updatePolicy(db.ctx(), { id: policy.id, durationDays: 60 });
      expect(await stored(db, license.id)).toMatchObject({ expiresAt, durationDays: null });
    });

    it("refuses setting the expiry and inheriting the duration at once", async () => {
      const db = getDb();
      const world = await makeWorld(db);
      const policy = await createPolicy(db.ctx(), {
        productId: world.product.id,
        name: unique("Pro"),
        durationDays: 365,
      });
      const license = await createLicense(db.ctx(), {
        customerId: world.customer.id,
        policyId: policy.id,
        durationDays: 10,
      });
      const before = await stored(db, license.id);
      const error = await expectDomainError(
        updateLicense(db.ctx(), {
          id: license.id,
          expiresAt: new Date(license.startsAt.getTime() + 5 * DAY),
          inherit: ["duration"],
        }),
        "INVALID_ARGUMENT",
      );
      expect(error.fields.map((f) => f.path)).toEqual(["inherit.0"]);
      expect(await stored(db, license.id)).toEqual(before);

      // inheriting alone takes the policy's duration again, the expiry recomputed from it
      const inherited = await updateLicense(db.ctx(), { id: license.id, inherit: ["duration"] });
      expect(inherited.overrides).toEqual([]);
      expect(inherited.expiresAt).toEqual(new Date(license.startsAt.getTime() + 365 * DAY));
    });
  });
});
