import { describe, expect, it } from "vitest";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { getLicense } from "../../src/server/core/licenses/get-license.ts";
import { LICENSE_KEY_PATTERN } from "../../src/server/core/licenses/license-key.ts";
import { listLicenses } from "../../src/server/core/licenses/list-licenses.ts";
import { reinstateLicense } from "../../src/server/core/licenses/reinstate-license.ts";
import { renewLicense } from "../../src/server/core/licenses/renew-license.ts";
import { revokeLicense } from "../../src/server/core/licenses/revoke-license.ts";
import { setEntitlements } from "../../src/server/core/licenses/set-entitlements.ts";
import { suspendLicense } from "../../src/server/core/licenses/suspend-license.ts";
import { updateLicense } from "../../src/server/core/licenses/update-license.ts";
import { archiveProduct } from "../../src/server/core/products/archive-product.ts";
import { describeEachDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { auditCount, makeCustomer, makeLicense, makeProduct, makeWorld } from "../support/fixtures.ts";

const DAY = 86_400_000;

describeEachDb("licenses", (getDb) => {
  describe("issuing", () => {
    it("creates a license with a readable unique key, defaults and entitlements, and audits it", async () => {
      const db = getDb();
      const { license, features } = await makeWorld(db);
      expect(license.key).toMatch(LICENSE_KEY_PATTERN);
      expect(license).toMatchObject({
        status: "active",
        effectiveStatus: "active",
        type: "floating",
        seatLimit: 3,
        heartbeatIntervalSeconds: 300,
        // floating: a short grace period (a crashed machine holds its seat as long)
        gracePeriodHours: 1,
        offlineAllowanceDays: 0,
        expiresAt: null,
        openSessions: 0,
      });
      const locked = await makeLicense(db, license.customer.id, license.product.id, { type: "node_locked" });
      expect(locked.gracePeriodHours).toBe(72);
      const chosen = await makeLicense(db, license.customer.id, license.product.id, { gracePeriodHours: 24 });
      expect(chosen.gracePeriodHours).toBe(24);
      expect(license.startsAt).toEqual(db.clock.now());
      expect(license.entitlements.map((e) => [e.code, e.quota])).toEqual([
        ["api-calls", 1000],
        ["export-pdf", null],
      ]);
      const stored = await db.handle.db.license.findUniqueOrThrow({
        where: { id: license.id },
        select: { key: true, entitlements: { select: { featureId: true } } },
      });
      expect(stored.key).toBe(license.key);
      expect(stored.entitlements.map((e) => e.featureId).sort()).toEqual(
        [features.apiCalls.id, features.exportPdf.id].sort(),
      );
      const event = await db.handle.db.auditEvent.findFirstOrThrow({
        where: { targetId: license.id, action: "license.create" },
        select: { actorType: true, ip: true },
      });
      expect(event).toEqual({ actorType: "system", ip: "127.0.0.1" });
    });

    it("gives every license its own key", async () => {
      const db = getDb();
      const { product } = await makeProduct(db);
      const groupId = (await db.handle.db.group.findFirstOrThrow({ select: { id: true } })).id;
      const customer = await makeCustomer(db, groupId);
      const keys = await Promise.all(
        Array.from({ length: 25 }, () => makeLicense(db, customer.id, product.id).then((l) => l.key)),
      );
      expect(new Set(keys).size).toBe(25);
      const stored = await db.handle.db.license.count({ where: { key: { in: keys } } });
      expect(stored).toBe(25);
    });

    it("finds a license by key typed loosely (case, dashes, O for 0)", async () => {
      const db = getDb();
      const { license } = await makeWorld(db);
      const typed = license.key.toLowerCase().replace(/-/g, "").replace(/0/g, "o");
      const found = await getLicense(db.ctx(), { key: typed });
      expect(found.id).toBe(license.id);
      await expectDomainError(getLicense(db.ctx(), { key: "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ" }), "NOT_FOUND");
    });

    it("refuses features of another product, quotas on boolean features and bad dates, writing nothing", async () => {
      const db = getDb();
      const { customer, product, features } = await makeWorld(db);
      const other = await makeProduct(db);
      const before = await db.handle.db.license.count();
      const audits = await auditCount(db);

      const wrongProduct = await expectDomainError(
        createLicense(db.ctx(), {
          customerId: customer.id,
          productId: product.id,
          entitlements: [{ featureId: other.features.exportPdf.id }],
        }),
        "INVALID_ARGUMENT",
      );
      expect(wrongProduct.fields).toEqual([
        { path: "entitlements.0.featureId", message: expect.any(String) as string },
      ]);
      const quotaOnBoolean = await expectDomainError(
        createLicense(db.ctx(), {
          customerId: customer.id,
          productId: product.id,
          entitlements: [{ featureId: features.exportPdf.id, quota: 5 }],
        }),
        "INVALID_ARGUMENT",
      );
      expect(quotaOnBoolean.fields[0]?.path).toBe("entitlements.0.quota");
      await expectDomainError(
        createLicense(db.ctx(), {
          customerId: customer.id,
          productId: product.id,
          startsAt: new Date("2026-06-10T00:00:00Z"),
          expiresAt: new Date("2026-06-01T00:00:00Z"),
        }),
        "INVALID_ARGUMENT",
      );
      await expectDomainError(
        createLicense(db.ctx(), {
          customerId: customer.id,
          productId: product.id,
          entitlements: [{ featureId: features.exportPdf.id }, { featureId: features.exportPdf.id }],
        }),
        "INVALID_ARGUMENT",
      );
      expect(await db.handle.db.license.count()).toBe(before);
      expect(await auditCount(db)).toBe(audits);
    });

    it("refuses licenses for archived products", async () => {
      const db = getDb();
      const { customer } = await makeWorld(db);
      const { product } = await makeProduct(db);
      await archiveProduct(db.ctx(), { id: product.id });
      await expectDomainError(
        createLicense(db.ctx(), { customerId: customer.id, productId: product.id }),
        "FAILED_PRECONDITION",
      );
    });

    it("accepts ISO-8601 strings for dates", async () => {
      const db = getDb();
      const { customer, product } = await makeWorld(db);
      const license = await createLicense(db.ctx(), {
        customerId: customer.id,
        productId: product.id,
        expiresAt: "2027-01-01T00:00:00Z",
      });
      expect(license.expiresAt).toEqual(new Date("2027-01-01T00:00:00Z"));
    });
  });

  describe("status transitions", () => {
    it("suspends, reinstates and revokes; revoked is final", async () => {
      const db = getDb();
      const { license } = await makeWorld(db);
      const suspended = await suspendLicense(db.ctx(), { id: license.id, reason: "unpaid invoice" });
      expect(suspended).toMatchObject({ status: "suspended", statusReason: "unpaid invoice" });
      expect(suspended.suspendedAt).toEqual(db.clock.now());
      await expectDomainError(suspendLicense(db.ctx(), { id: license.id }), "FAILED_PRECONDITION");

      const reinstated = await reinstateLicense(db.ctx(), { id: license.id });
      expect(reinstated).toMatchObject({ status: "active", suspendedAt: null, statusReason: null });
      await expectDomainError(reinstateLicense(db.ctx(), { id: license.id }), "FAILED_PRECONDITION");

      const revoked = await revokeLicense(db.ctx(), { id: license.id, reason: "contract ended" });
      expect(revoked.status).toBe("revoked");
      const audits = await auditCount(db);
      const attempts = [
        () => reinstateLicense(db.ctx(), { id: license.id }),
        () => suspendLicense(db.ctx(), { id: license.id }),
        () => revokeLicense(db.ctx(), { id: license.id }),
        () => renewLicense(db.ctx(), { id: license.id, extendDays: 30 }),
        () => updateLicense(db.ctx(), { id: license.id, seatLimit: 10 }),
        () => setEntitlements(db.ctx(), { id: license.id, entitlements: [] }),
      ];
      for (const attempt of attempts) {
        await expectDomainError(attempt(), "FAILED_PRECONDITION");
      }
      expect(await auditCount(db)).toBe(audits);
      const stored = await db.handle.db.license.findUniqueOrThrow({
        where: { id: license.id },
        select: { status: true, seatLimit: true },
      });
      expect(stored).toEqual({ status: "revoked", seatLimit: 3 });

      const actions = await db.handle.db.auditEvent.findMany({
        where: { targetId: license.id },
        orderBy: { seq: "asc" },
        select: { action: true },
      });
      expect(actions.map((a) => a.action)).toEqual([
        "license.create",
        "license.suspend",
        "license.reinstate",
        "license.revoke",
      ]);
    });

    it("ends open sessions when a license is suspended or revoked", async () => {
      const db = getDb();
      const { license } = await makeWorld(db);
      const now = db.clock.now();
      await db.handle.db.session.create({
        data: {
          licenseId: license.id,
          fingerprint: "fp-1",
          startedAt: now,
          lastHeartbeatAt: now,
          deadlineAt: new Date(now.getTime() + 600_000),
        },
        select: { id: true },
      });
      await suspendLicense(db.ctx(), { id: license.id });
      const session = await db.handle.db.session.findFirstOrThrow({
        where: { licenseId: license.id },
        select: { endedAt: true, endReason: true },
      });
      expect(session).toEqual({ endedAt: now, endReason: "license_suspended" });
    });

    it("expires by time, renews and extends", async () => {
      const db = getDb();
      const { customer, product } = await makeWorld(db);
      const now = db.clock.now();
      const license = await createLicense(db.ctx(), {
        customerId: customer.id,
        productId: product.id,
        expiresAt: new Date(now.getTime() + 10 * DAY),
      });
      db.clock.advance(11 * DAY);
      const expired = await getLicense(db.ctx(), { id: license.id });
      expect(expired).toMatchObject({ status: "active", effectiveStatus: "expired" });
      await expectDomainError(suspendLicense(db.ctx(), { id: license.id }), "FAILED_PRECONDITION");
      await expectDomainError(
        renewLicense(db.ctx(), { id: license.id, expiresAt: new Date(db.clock.now().getTime() - DAY) }),
        "INVALID_ARGUMENT",
      );

      const extended = await renewLicense(db.ctx(), { id: license.id, extendDays: 30 });
      expect(extended.effectiveStatus).toBe("active");
      expect(extended.expiresAt).toEqual(new Date(db.clock.now().getTime() + 30 * DAY));
      const renewed = await renewLicense(db.ctx(), { id: license.id, expiresAt: "2030-01-01T00:00:00.000Z" });
      expect(renewed.expiresAt).toEqual(new Date("2030-01-01T00:00:00.000Z"));
      const perpetual = await renewLicense(db.ctx(), { id: license.id, expiresAt: null });
      expect(perpetual.expiresAt).toBeNull();
      await expectDomainError(renewLicense(db.ctx(), { id: license.id, extendDays: 5 }), "INVALID_ARGUMENT");
      db.clock.set(now);
    });
  });

  describe("changes", () => {
    it("updates terms and replaces entitlements", async () => {
      const db = getDb();
      const { license, features } = await makeWorld(db);
      const updated = await updateLicense(db.ctx(), {
        id: license.id,
        seatLimit: 10,
        type: "node_locked",
        offlineAllowanceDays: 365,
        metadata: { po: "PO-1234" },
      });
      expect(updated).toMatchObject({
        seatLimit: 10,
        type: "node_locked",
        offlineAllowanceDays: 365,
        metadata: { po: "PO-1234" },
      });
      const event = await db.handle.db.auditEvent.findFirstOrThrow({
        where: { targetId: license.id, action: "license.update" },
        select: { summary: true },
      });
      expect(JSON.parse(event.summary)).toMatchObject({
        seatLimit: { from: 3, to: 10 },
        type: { from: "floating", to: "node_locked" },
      });

      const replaced = await setEntitlements(db.ctx(), {
        id: license.id,
        entitlements: [{ featureId: features.apiCalls.id, quota: 50, quotaPeriod: "month" }],
      });
      expect(replaced.entitlements).toEqual([
        expect.objectContaining({ code: "api-calls", quota: 50, quotaPeriod: "month" }),
      ]);
      expect(await db.handle.db.entitlement.count({ where: { licenseId: license.id } })).toBe(1);
      await expectDomainError(
        updateLicense(db.ctx(), { id: license.id, offlineAllowanceDays: 366 }),
        "INVALID_ARGUMENT",
      );
    });
  });

  describe("listing", () => {
    it("filters by status, customer, expiry window and key, sorts and paginates", async () => {
      const db = getDb();
      const { customer, product, license } = await makeWorld(db);
      const now = db.clock.now();
      const soon = await createLicense(db.ctx(), {
        customerId: customer.id,
        productId: product.id,
        expiresAt: new Date(now.getTime() + 5 * DAY),
      });
      const later = await createLicense(db.ctx(), {
        customerId: customer.id,
        productId: product.id,
        expiresAt: new Date(now.getTime() + 90 * DAY),
      });
      const gone = await createLicense(db.ctx(), { customerId: customer.id, productId: product.id });
      await revokeLicense(db.ctx(), { id: gone.id });

      const all = await listLicenses(db.ctx(), {
        customerId: customer.id,
        sort: "createdAt",
        direction: "asc",
      });
      expect(all.total).toBe(4);
      expect(all.items.map((l) => l.id)).toEqual([license.id, soon.id, later.id, gone.id]);

      const revoked = await listLicenses(db.ctx(), { customerId: customer.id, status: "revoked" });
      expect(revoked.items.map((l) => l.id)).toEqual([gone.id]);
      const expiring = await listLicenses(db.ctx(), { customerId: customer.id, expiringWithinDays: 30 });
      expect(expiring.items.map((l) => l.id)).toEqual([soon.id]);
      const byKey = await listLicenses(db.ctx(), { q: later.key.toLowerCase() });
      expect(byKey.items.map((l) => l.id)).toEqual([later.id]);
      const byCustomerName = await listLicenses(db.ctx(), { q: customer.name.toUpperCase().slice(0, 12) });
      expect(byCustomerName.items.map((l) => l.id)).toContain(license.id);

      const page2 = await listLicenses(db.ctx(), {
        customerId: customer.id,
        sort: "expiresAt",
        direction: "desc",
        page: 2,
        pageSize: 3,
      });
      expect(page2.total).toBe(4);
      expect(page2.items).toHaveLength(1);

      db.clock.advance(10 * DAY);
      const expired = await listLicenses(db.ctx(), { customerId: customer.id, status: "expired" });
      expect(expired.items.map((l) => l.id)).toEqual([soon.id]);
      const active = await listLicenses(db.ctx(), { customerId: customer.id, status: "active" });
      expect(active.items.map((l) => l.id).sort()).toEqual([license.id, later.id].sort());
      db.clock.set(now);
    });
  });
});
