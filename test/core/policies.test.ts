import { describe, expect, it } from "vitest";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { getLicense } from "../../src/server/core/licenses/get-license.ts";
import { issueLicenses } from "../../src/server/core/licenses/issue-licenses.ts";
import { setEntitlements } from "../../src/server/core/licenses/set-entitlements.ts";
import { updateLicense } from "../../src/server/core/licenses/update-license.ts";
import { archivePolicy } from "../../src/server/core/policies/archive-policy.ts";
import { createPolicy } from "../../src/server/core/policies/create-policy.ts";
import { getPolicy } from "../../src/server/core/policies/get-policy.ts";
import { listPolicies } from "../../src/server/core/policies/list-policies.ts";
import { previewPolicyChange } from "../../src/server/core/policies/preview-policy-change.ts";
import type { TCreatePolicyInput } from "../../src/server/core/policies/schemas.ts";
import { updatePolicy } from "../../src/server/core/policies/update-policy.ts";
import { actor, describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { makeCustomer, makeGroup, makeProduct, makeWorld, unique } from "../support/fixtures.ts";

const DAY = 86_400_000;

type World = Awaited<ReturnType<typeof makeWorld>>;

function standardPolicy(world: World, extra: Partial<TCreatePolicyInput> = {}): TCreatePolicyInput {
  return {
    productId: world.product.id,
    name: unique("Pro"),
    type: "floating",
    seatLimit: 5,
    durationDays: 365,
    offlineAllowanceDays: 30,
    checkInIntervalDays: 7,
    gracePeriodHours: 24,
    overage: "x1_5",
    expiryStrategy: "maintain_versions",
    entitlements: [
      { featureId: world.features.exportPdf.id },
      { featureId: world.features.apiCalls.id, quota: 500 },
    ],
    ...extra,
  };
}

/** Rows of the tables a refused write could have touched, to compare before and after. */
async function counts(db: TestDb) {
  const d = db.handle.db;
  const [policies, policyEntitlements, licenses, entitlements, customers, audit] = await Promise.all([
    d.policy.count(),
    d.policyEntitlement.count(),
    d.license.count(),
    d.entitlement.count(),
    d.customer.count(),
    d.auditEvent.count(),
  ]);
  return { policies, policyEntitlements, licenses, entitlements, customers, audit };
}

async function refusedWritingNothing(
  db: TestDb,
  attempt: () => Promise<unknown>,
  code: "INVALID_ARGUMENT" | "FAILED_PRECONDITION",
  path?: string,
) {
  const before = await counts(db);
  const error = await expectDomainError(attempt(), code);
  if (path) expect(error.fields.map((f) => f.path)).toContain(path);
  expect(await counts(db)).toEqual(before);
  return error;
}

describeEachDb("policies", (getDb) => {
  describe("issuing from a policy and changing it", () => {
    it("reaches the licenses that inherit a term and not the one that overrides it, with the count previewed and audited", async () => {
      const db = getDb();
      const world = await makeWorld(db);
      const policy = await createPolicy(db.ctx(), standardPolicy(world));
      expect(policy).toMatchObject({
        kind: "standard",
        seatLimit: 5,
        licenseCount: 0,
        trialCustomerId: null,
      });
      expect(policy.entitlements.map((e) => [e.code, e.quota])).toEqual([
        ["api-calls", 500],
        ["export-pdf", null],
      ]);

      const issue = (extra = {}) =>
        createLicense(db.ctx(), { customerId: world.customer.id, policyId: policy.id, ...extra });
      const a = await issue();
      const b = await issue();
      const own = await issue({ seatLimit: 9 });
      expect(a).toMatchObject({
        policy: { id: policy.id, name: policy.name },
        overrides: [],
        type: "floating",
        seatLimit: 5,
        offlineAllowanceDays: 30,
        checkInIntervalDays: 7,
        gracePeriodHours: 24,
        overage: "x1_5",
        expiryStrategy: "maintain_versions",
        durationDays: 365,
        durationFrom: "issue",
        trial: false,
        product: { id: world.product.id },
      });
      expect(a.expiresAt).toEqual(new Date(a.startsAt.getTime() + 365 * DAY));
      expect(a.entitlements.map((e) => [e.code, e.quota])).toEqual([
        ["api-calls", 500],
        ["export-pdf", null],
      ]);
      expect(own).toMatchObject({ seatLimit: 9, overrides: ["seatLimit"] });
      expect((await getPolicy(db.ctx(), { id: policy.id })).licenseCount).toBe(3);

      const change = { id: policy.id, seatLimit: 10, offlineAllowanceDays: 60 };
      const preview = await previewPolicyChange(db.ctx(), change);
      expect(preview.licenses).toBe(3);
      expect(preview.terms).toEqual([
        { term: "seatLimit", from: 5, to: 10, licenses: 2, overriding: 1 },
        { term: "offlineAllowanceDays", from: 30, to: 60, licenses: 3, overriding: 0 },
      ]);

      const updated = await updatePolicy(db.ctx(), change);
      expect(updated).toMatchObject({ seatLimit: 10, offlineAllowanceDays: 60 });
      const rows = await db.handle.db.license.findMany({
        where: { id: { in: [a.id, b.id, own.id] } },
        select: { id: true, seatLimit: true, offlineAllowanceDays: true },
      });
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(byId.get(a.id)).toMatchObject({ seatLimit: 10, offlineAllowanceDays: 60 });
      expect(byId.get(b.id)).toMatchObject({ seatLimit: 10, offlineAllowanceDays: 60 });
      expect(byId.get(own.id)).toMatchObject({ seatLimit: 9, offlineAllowanceDays: 60 });

      const event = await db.handle.db.auditEvent.findFirstOrThrow({
        where: { action: "policy.update", targetId: policy.id },
        select: { summary: true },
      });
      const summary = JSON.parse(event.summary) as Record<string, unknown>;
      expect(summary).toMatchObject({
        licensesUpdated: 3,
        terms: { seatLimit: { from: 5, to: 10 }, offlineAllowanceDays: { from: 30, to: 60 } },
        byTerm: { seatLimit: { licenses: 2, overriding: 1 } },
      });

      // inherit resets the override to the policy's current value
      const reset = await updateLicense(db.ctx(), { id: own.id, inherit: ["seatLimit"] });
      expect(reset).toMatchObject({ seatLimit: 10, overrides: [] });
      // a term changed on a policy license becomes an override
      const changed = await updateLicense(db.ctx(), {
        id: a.id,
        checkInIntervalDays: 3,
        gracePeriodHours: 12,
      });
      expect(changed.overrides).toEqual(["gracePeriodHours", "checkInIntervalDays"]);
      const next = await previewPolicyChange(db.ctx(), { id: policy.id, checkInIntervalDays: 14 });
      expect(next.terms).toEqual([
        { term: "checkInIntervalDays", from: 7, to: 14, licenses: 2, overriding: 1 },
      ]);
    });

    it("copies entitlements, treats set entitlements as an override, and replaces them on a policy change", async () => {
      const db = getDb();
      const world = await makeWorld(db);
      const policy = await createPolicy(db.ctx(), standardPolicy(world));
      const inherit = await createLicense(db.ctx(), { customerId: world.customer.id, policyId: policy.id });
      const given = await createLicense(db.ctx(), {
        customerId: world.customer.id,
        policyId: policy.id,
        entitlements: [{ featureId: world.features.exportPdf.id }],
      });
      expect(given.overrides).toEqual(["entitlements"]);
      const later = await createLicense(db.ctx(), { customerId: world.customer.id, policyId: policy.id });
      const set = await setEntitlements(db.ctx(), { id: later.id, entitlements: [] });
      expect(set.overrides).toEqual(["entitlements"]);

      const preview = await previewPolicyChange(db.ctx(), {
        id: policy.id,
        entitlements: [{ featureId: world.features.apiCalls.id, quota: 1000, quotaPeriod: "month" }],
      });
      expect(preview.terms.map((t) => [t.term, t.licenses, t.overriding])).toEqual([["entitlements", 1, 2]]);
      await updatePolicy(db.ctx(), {
        id: policy.id,
        entitlements: [{ featureId: world.features.apiCalls.id, quota: 1000, quotaPeriod: "month" }],
      });
      const entitlementsOf = async (id: string) =>
        (await getLicense(db.ctx(), { id })).entitlements.map((e) => [e.code, e.quota, e.quotaPeriod]);
      expect(await entitlementsOf(inherit.id)).toEqual([["api-calls", 1000, "month"]]);
      expect(await entitlementsOf(given.id)).toEqual([["export-pdf", null, "total"]]);
      expect(await entitlementsOf(later.id)).toEqual([]);
      expect((await getPolicy(db.ctx(), { id: policy.id })).entitlements.map((e) => e.code)).toEqual([
        "api-calls",
      ]);

      // inheriting entitlements again takes the policy's
      const back = await updateLicense(db.ctx(), { id: given.id, inherit: ["entitlements"] });
      expect(back.overrides).toEqual([]);
      expect(back.entitlements.map((e) => [e.code, e.quota])).toEqual([["api-calls", 1000]]);
    });

    it("counts a duration from the first activation, and a new duration moves no expiry", async () => {
      const db = getDb();
      const world = await makeWorld(db);
      const policy = await createPolicy(
        db.ctx(),
        standardPolicy(world, { durationDays: 30, durationFrom: "first_activation" }),
      );
      const waiting = await createLicense(db.ctx(), { customerId: world.customer.id, policyId: policy.id });
      expect(waiting).toMatchObject({
        expiresAt: null,
        durationDays: 30,
        durationFrom: "first_activation",
        activatedAt: null,
      });
      const fixed = await createLicense(db.ctx(), {
        customerId: world.customer.id,
        policyId: policy.id,
        expiresAt: new Date(db.clock.now().getTime() + 10 * DAY),
      });
      expect(fixed).toMatchObject({ durationDays: null, durationFrom: "issue", overrides: ["duration"] });
      const started = await createLicense(db.ctx(), { customerId: world.customer.id, policyId: policy.id });
      const activatedAt = db.clock.now();
      await db.handle.db.license.update({
        where: { id: started.id },
        data: { activatedAt, expiresAt: new Date(activatedAt.getTime() + 30 * DAY) },
      });

      const preview = await previewPolicyChange(db.ctx(), { id: policy.id, durationDays: 60 });
      expect(preview.terms).toEqual([
        {
          term: "duration",
          from: { durationDays: 30, durationFrom: "first_activation" },
          to: { durationDays: 60, durationFrom: "first_activation" },
          licenses: 1,
          overriding: 1,
        },
      ]);
      await updatePolicy(db.ctx(), { id: policy.id, durationDays: 60 });
      expect((await getLicense(db.ctx(), { id: waiting.id })).durationDays).toBe(60);
      const kept = await getLicense(db.ctx(), { id: started.id });
      expect(kept).toMatchObject({ durationDays: 30, expiresAt: new Date(activatedAt.getTime() + 30 * DAY) });

      // a duration counted from issue would set an expiry on each license: it reaches none
      const fromIssue = await previewPolicyChange(db.ctx(), { id: policy.id, durationFrom: "issue" });
      expect(fromIssue.terms[0]).toMatchObject({ term: "duration", licenses: 0 });
      // inheriting the duration recomputes the expiry from the policy's
      const inherited = await updateLicense(db.ctx(), { id: fixed.id, inherit: ["duration"] });
      expect(inherited).toMatchObject({
        durationDays: 60,
        durationFrom: "first_activation",
        expiresAt: null,
        overrides: [],
      });
    });

    it("writes a change to thousands of licenses in chunks", async () => {
      const db = getDb();
      const world = await makeWorld(db);
      const policy = await createPolicy(db.ctx(), standardPolicy(world));
      const template = await createLicense(db.ctx(), { customerId: world.customer.id, policyId: policy.id });
      const row = await db.handle.db.license.findUniqueOrThrow({
        where: { id: template.id },
        omit: { id: true, key: true, createdAt: true, updatedAt: true },
      });
      const N = 1_300;
      for (let i = 0; i < N; i += 250) {
        await db.handle.db.license.createMany({
          data: Array.from({ length: Math.min(250, N - i) }, (_, j) => ({
            ...row,
            key: unique(`BULK${i + j}`),
            overrides: (i + j) % 100 === 0 ? '["seatLimit"]' : "[]",
          })),
        });
      }
      const preview = await previewPolicyChange(db.ctx(), { id: policy.id, seatLimit: 50, overage: "x2" });
      expect(preview.terms.map((t) => [t.term, t.licenses, t.overriding])).toEqual([
        ["seatLimit", N + 1 - 13, 13],
        ["overage", N + 1, 0],
      ]);
      await updatePolicy(db.ctx(), { id: policy.id, seatLimit: 50, overage: "x2" });
      const grouped = await db.handle.db.license.groupBy({
        by: ["seatLimit", "overage"],
        where: { policyId: policy.id },
        _count: { _all: true },
        orderBy: { seatLimit: "asc" },
      });
      expect(grouped.map((g) => [g.seatLimit, g.overage, g._count._all])).toEqual([
        [5, "x2", 13],
        [50, "x2", N + 1 - 13],
      ]);
    });
  });

  describe("bulk issue", () => {
    it("issues 50 licenses with distinct keys in one transaction, one audit event each plus one for the batch", async () => {
      const db = getDb();
      const world = await makeWorld(db);
      const policy = await createPolicy(db.ctx(), standardPolicy(world));
      const before = await counts(db);
      const issued = await issueLicenses(db.ctx(), {
        customerId: world.customer.id,
        policyId: policy.id,
        count: 50,
        seatLimit: 2,
      });
      expect(issued.licenses).toHaveLength(50);
      expect(new Set(issued.licenses.map((l) => l.key)).size).toBe(50);
      const after = await counts(db);
      expect(after.licenses - before.licenses).toBe(50);
      expect(after.entitlements - before.entitlements).toBe(100);
      expect(after.audit - before.audit).toBe(51);
      const stored = await db.handle.db.license.findMany({
        where: { id: { in: issued.licenses.map((l) => l.id) } },
        select: { seatLimit: true, overrides: true, policyId: true, offlineAllowanceDays: true },
      });
      expect(new Set(stored.map((s) => JSON.stringify(s)))).toEqual(
        new Set([
          JSON.stringify({
            seatLimit: 2,
            overrides: '["seatLimit"]',
            policyId: policy.id,
            offlineAllowanceDays: 30,
          }),
        ]),
      );
      const batch = await db.handle.db.auditEvent.findFirstOrThrow({
        where: { action: "license.bulk_issue", targetId: world.customer.id },
        select: { summary: true },
      });
      expect(JSON.parse(batch.summary)).toMatchObject({
        count: 50,
        policy: policy.name,
        overrides: ["seatLimit"],
      });
      await refusedWritingNothing(
        db,
        () => issueLicenses(db.ctx(), { customerId: world.customer.id, policyId: policy.id, count: 1001 }),
        "INVALID_ARGUMENT",
        "count",
      );
    });
  });

  describe("contradictions and refusals", () => {
    it("refuses contradictory policy terms with the field at fault, writing nothing", async () => {
      const db = getDb();
      const world = await makeWorld(db);
      const other = await makeProduct(db);
      const cases: [Partial<TCreatePolicyInput>, string][] = [
        [{ entitlements: [{ featureId: world.features.exportPdf.id, quota: 10 }] }, "entitlements.0.quota"],
        [{ entitlements: [{ featureId: other.features.exportPdf.id }] }, "entitlements.0.featureId"],
        [{ checkInIntervalDays: 40, offlineAllowanceDays: 30 }, "checkInIntervalDays"],
        [{ type: "node_locked", overage: "x1_25" }, "overage"],
        [{ checkInIntervalDays: 1, gracePeriodHours: 48 }, "gracePeriodHours"],
        [{ durationDays: null, durationFrom: "first_activation" }, "durationFrom"],
      ];
      for (const [extra, path] of cases) {
        const error = await refusedWritingNothing(
          db,
          () => createPolicy(db.ctx(), standardPolicy(world, extra)),
          "INVALID_ARGUMENT",
          path,
        );
        expect(error.message.length).toBeGreaterThan(20);
      }
      // a change is checked against the terms it leaves: a check-in longer than the allowance kept
      const policy = await createPolicy(db.ctx(), standardPolicy(world));
      await refusedWritingNothing(
        db,
        () => updatePolicy(db.ctx(), { id: policy.id, offlineAllowanceDays: 3 }),
        "INVALID_ARGUMENT",
        "checkInIntervalDays",
      );
      await refusedWritingNothing(
        db,
        () => previewPolicyChange(db.ctx(), { id: policy.id, type: "node_locked" }),
        "INVALID_ARGUMENT",
        "overage",
      );
      await refusedWritingNothing(
        db,
        () =>
          updatePolicy(db.ctx(), {
            id: policy.id,
            entitlements: [{ featureId: world.features.exportPdf.id, quota: 1 }],
          }),
        "INVALID_ARGUMENT",
        "entitlements.0.quota",
      );
      // a license's own overage contradicts the policy turning node-locked with overage none
      const license = await createLicense(db.ctx(), {
        customerId: world.customer.id,
        policyId: policy.id,
        overage: "x2",
      });
      expect(license.overrides).toEqual(["overage"]);
      const refused = await refusedWritingNothing(
        db,
        () => updatePolicy(db.ctx(), { id: policy.id, type: "node_locked", overage: "none" }),
        "FAILED_PRECONDITION",
      );
      // named by id, never by key (the key is the license's secret)
      expect(refused.message).toContain(`1 license(s)`);
      expect(refused.message).toContain(license.id);
      expect(refused.message).not.toContain(license.key);
    });

    it("refuses contradictory license terms on create and update, with or without a policy", async () => {
      const db = getDb();
      const world = await makeWorld(db);
      const policy = await createPolicy(db.ctx(), standardPolicy(world));
      const base = { customerId: world.customer.id, productId: world.product.id };
      await refusedWritingNothing(
        db,
        () => createLicense(db.ctx(), { ...base, type: "node_locked", overage: "x2" }),
        "INVALID_ARGUMENT",
        "overage",
      );
      await refusedWritingNothing(
        db,
        () => createLicense(db.ctx(), { ...base, checkInIntervalDays: 10, offlineAllowanceDays: 5 }),
        "INVALID_ARGUMENT",
        "checkInIntervalDays",
      );
      await refusedWritingNothing(
        db,
        () => createLicense(db.ctx(), { ...base, durationFrom: "first_activation" }),
        "INVALID_ARGUMENT",
        "durationFrom",
      );
      // the policy's check-in (7 days) against the license's own grace period
      await refusedWritingNothing(
        db,
        () =>
          createLicense(db.ctx(), {
            customerId: world.customer.id,
            policyId: policy.id,
            gracePeriodHours: 200,
          }),
        "INVALID_ARGUMENT",
        "gracePeriodHours",
      );
      // the policy's overage (x1.5) on a license made node-locked
      await refusedWritingNothing(
        db,
        () =>
          createLicense(db.ctx(), {
            customerId: world.customer.id,
            policyId: policy.id,
            type: "node_locked",
          }),
        "INVALID_ARGUMENT",
        "overage",
      );
      await refusedWritingNothing(
        db,
        () =>
          createLicense(db.ctx(), {
            ...base,
            policyId: policy.id,
            entitlements: [{ featureId: world.features.exportPdf.id, quota: 3 }],
          }),
        "INVALID_ARGUMENT",
        "entitlements.0.quota",
      );
      const other = await makeProduct(db);
      await refusedWritingNothing(
        db,
        () =>
          createLicense(db.ctx(), {
            customerId: world.customer.id,
            productId: other.product.id,
            policyId: policy.id,
          }),
        "INVALID_ARGUMENT",
        "policyId",
      );
      // without a check-in given, a node-locked license's default grace fits the interval
      const locked = await createLicense(db.ctx(), { ...base, type: "node_locked", checkInIntervalDays: 1 });
      expect(locked.gracePeriodHours).toBe(24);
      await refusedWritingNothing(
        db,
        () => updateLicense(db.ctx(), { id: locked.id, gracePeriodHours: 25 }),
        "INVALID_ARGUMENT",
        "gracePeriodHours",
      );
      await refusedWritingNothing(
        db,
        () => updateLicense(db.ctx(), { id: locked.id, overage: "always" }),
        "INVALID_ARGUMENT",
        "overage",
      );
      await refusedWritingNothing(
        db,
        () => updateLicense(db.ctx(), { id: locked.id, inherit: ["seatLimit"] }),
        "INVALID_ARGUMENT",
        "inherit",
      );
      const fromPolicy = await createLicense(db.ctx(), {
        customerId: world.customer.id,
        policyId: policy.id,
      });
      await refusedWritingNothing(
        db,
        () => updateLicense(db.ctx(), { id: fromPolicy.id, seatLimit: 3, inherit: ["seatLimit"] }),
        "INVALID_ARGUMENT",
        "inherit.0",
      );
    });

    it("issues nothing from an archived policy, a trial policy or for a customer outside the admin's groups", async () => {
      const db = getDb();
      const world = await makeWorld(db);
      const policy = await createPolicy(db.ctx(), standardPolicy(world));
      const editorA = actor("editor", [world.groupA.id]);
      const editorB = actor("editor", [world.groupB.id]);
      const inA = { customerId: world.customer.id, policyId: policy.id };
      expect((await createLicense(db.ctx(editorA), inA)).policy?.id).toBe(policy.id);
      const before = await counts(db);
      await expectDomainError(createLicense(db.ctx(editorB), inA), "NOT_FOUND");
      await expectDomainError(issueLicenses(db.ctx(editorB), { ...inA, count: 3 }), "NOT_FOUND");
      expect(await counts(db)).toEqual(before);

      const archived = await archivePolicy(db.ctx(), { id: policy.id });
      expect(archived.archivedAt).toEqual(db.clock.now());
      await refusedWritingNothing(db, () => createLicense(db.ctx(), inA), "FAILED_PRECONDITION");
      expect(
        (await listPolicies(db.ctx(), { productId: world.product.id })).items.map((p) => p.id),
      ).not.toContain(policy.id);
      expect(
        (await listPolicies(db.ctx(), { productId: world.product.id, includeArchived: true })).items.map(
          (p) => p.id,
        ),
      ).toContain(policy.id);
      // the licenses issued keep their terms
      expect((await getPolicy(db.ctx(), { id: policy.id })).licenseCount).toBe(1);

      const trial = await createPolicy(db.ctx(), {
        productId: world.product.id,
        name: "Trial",
        kind: "trial",
        type: "node_locked",
        seatLimit: 1,
        durationDays: 14,
        trialGroupId: world.groupA.id,
      });
      await refusedWritingNothing(
        db,
        () => createLicense(db.ctx(), { customerId: world.customer.id, policyId: trial.id }),
        "FAILED_PRECONDITION",
      );
    });

    it("allows one live trial policy per product, node-locked for one machine, with its trial customer", async () => {
      const db = getDb();
      const group = await makeGroup(db);
      const { product } = await makeProduct(db);
      const trialInput = {
        productId: product.id,
        name: "Trial",
        kind: "trial" as const,
        type: "node_locked" as const,
        seatLimit: 1,
        durationDays: 14,
        trialGroupId: group.id,
      };
      const trial = await createPolicy(db.ctx(), trialInput);
      expect(trial).toMatchObject({ kind: "trial", durationFrom: "issue", gracePeriodHours: 72 });
      const customer = await db.handle.db.customer.findUniqueOrThrow({
        where: { id: trial.trialCustomerId ?? "" },
        select: { name: true, groupId: true },
      });
      expect(customer).toEqual({ name: "Trials: Product", groupId: group.id });

      const second = await refusedWritingNothing(
        db,
        () => createPolicy(db.ctx(), { ...trialInput, name: "Another trial" }),
        "FAILED_PRECONDITION",
      );
      expect(second.message).toMatch(/live trial policy/);
      for (const [extra, path] of [
        [{ type: "floating" }, "type"],
        [{ seatLimit: 2 }, "seatLimit"],
        [{ durationDays: null }, "durationDays"],
        [{ expiryStrategy: "allow" }, "expiryStrategy"],
        [{ expiryStrategy: "maintain_versions" }, "expiryStrategy"],
        [{ trialGroupId: undefined }, "trialGroupId"],
      ] as const) {
        await refusedWritingNothing(
          db,
          () => createPolicy(db.ctx(), { ...trialInput, ...extra, name: unique("t") }),
          "INVALID_ARGUMENT",
          path,
        );
      }
      await refusedWritingNothing(
        db,
        () => updatePolicy(db.ctx(), { id: trial.id, seatLimit: 3 }),
        "INVALID_ARGUMENT",
        "seatLimit",
      );
      const keepsWorking = await refusedWritingNothing(
        db,
        () => updatePolicy(db.ctx(), { id: trial.id, expiryStrategy: "allow" }),
        "INVALID_ARGUMENT",
        "expiryStrategy",
      );
      expect(keepsWorking.message).toMatch(/use restrict/);

      // archived, another may be made; the first cannot come back while the second lives
      await archivePolicy(db.ctx(), { id: trial.id });
      const next = await createPolicy(db.ctx(), { ...trialInput, name: "Trial 2" });
      expect(next.kind).toBe("trial");
      await refusedWritingNothing(
        db,
        () => archivePolicy(db.ctx(), { id: trial.id, archived: false }),
        "FAILED_PRECONDITION",
      );
    });

    it("lets viewers read but only super admins preview and write policies", async () => {
      const db = getDb();
      const world = await makeWorld(db);
      const policy = await createPolicy(db.ctx(), standardPolicy(world));
      const viewer = db.ctx(actor("viewer", [world.groupA.id]));
      const admin = db.ctx(actor("admin", [world.groupA.id]));
      expect((await getPolicy(viewer, { id: policy.id })).name).toBe(policy.name);
      expect((await listPolicies(viewer, { productId: world.product.id })).total).toBe(1);
      // the license count counts the caller's groups only (the license is group A's)
      await createLicense(db.ctx(), { customerId: world.customer.id, policyId: policy.id });
      const outsider = db.ctx(actor("viewer", [world.groupB.id]));
      expect((await getPolicy(viewer, { id: policy.id })).licenseCount).toBe(1);
      expect((await getPolicy(outsider, { id: policy.id })).licenseCount).toBe(0);
      expect((await listPolicies(outsider, { productId: world.product.id })).items[0]?.licenseCount).toBe(0);
      expect((await getPolicy(db.ctx(), { id: policy.id })).licenseCount).toBe(1);
      const before = await counts(db);
      for (const ctx of [viewer, admin]) {
        await expectDomainError(createPolicy(ctx, standardPolicy(world)), "FORBIDDEN");
        await expectDomainError(updatePolicy(ctx, { id: policy.id, seatLimit: 1 }), "FORBIDDEN");
        await expectDomainError(archivePolicy(ctx, { id: policy.id }), "FORBIDDEN");
        // previewing a change is part of changing
        await expectDomainError(previewPolicyChange(ctx, { id: policy.id, seatLimit: 1 }), "FORBIDDEN");
      }
      expect(await counts(db)).toEqual(before);
      await expectDomainError(
        createLicense(viewer, { customerId: world.customer.id, policyId: policy.id }),
        "FORBIDDEN",
      );
      // names are unique per product
      const taken = await expectDomainError(
        createPolicy(db.ctx(), standardPolicy(world, { name: policy.name })),
        "CONFLICT",
      );
      expect(taken.message).toMatch(/already exists/);
      const customer = await makeCustomer(db, world.groupA.id);
      expect(customer.id).toBeTruthy();
    });
  });
});
