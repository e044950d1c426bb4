// Trials in the domain, on both databases with the injected clock: StartTrial (one per product
// and machine, ever, by fingerprint or components), its refusals writing nothing, expiry,
// conversion by an admin and by a paid key entered on the machine, the list and the figures.
import { beforeAll, describe, expect, it } from "vitest";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { activateSession } from "../../src/server/core/sessions/activate-session.ts";
import { getDashboardSummary } from "../../src/server/core/stats/get-dashboard-summary.ts";
import { convertTrial } from "../../src/server/core/trials/convert-trial.ts";
import { listTrials } from "../../src/server/core/trials/list-trials.ts";
import { startTrial } from "../../src/server/core/trials/start-trial.ts";
import { trialStats } from "../../src/server/core/trials/trial-stats.ts";
import type { LicensingContext } from "../../src/server/core/validation/licensing-context.ts";
import { validateLicense } from "../../src/server/core/validation/validate-license.ts";
import { actor, describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { makeCustomer, makeGroup, makeProduct } from "../support/fixtures.ts";
import { fingerprint, testClientContext } from "../support/licensing.ts";
import { components, makeTrialProduct } from "../support/trials.ts";

const DAY = 86_400_000;

describeEachDb("trials", (getDb) => {
  let db: TestDb;
  let ctx: LicensingContext;

  beforeAll(async () => {
    db = getDb();
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    ctx = testClientContext(db, "203.0.113.7", 60);
  });

  const client = (productCode: string, fp: string, parts: Record<string, string> = {}) => ({
    productCode,
    fingerprint: fp,
    hostname: "trial-host",
    clientVersion: "1.0.0",
    components: components(parts),
  });

  /** What a refused StartTrial must leave as it was. */
  async function counts() {
    const d = db.handle.db;
    return {
      licenses: await d.license.count(),
      trials: await d.trial.count(),
      machines: await d.machineBinding.count(),
      audit: await d.auditEvent.count(),
    };
  }

  it("starts a trial: a node-locked trial license bound to the machine, its key valid there only", async () => {
    const { product, policy, trialCustomer } = await makeTrialProduct(db);
    const fp = fingerprint();
    const answer = await startTrial(ctx, {
      client: client(product.code, fp, { board: "b1" }),
      email: "a@example.com",
    });
    expect(answer.status, answer.message).toBe("VALID");
    expect(answer.licenseKey).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$/);
    expect(answer.license).toMatchObject({
      trial: true,
      type: "node_locked",
      seatLimit: 1,
      policyName: "Trial",
    });
    expect(answer.license?.expiresAt).toEqual(new Date(db.clock.now().getTime() + 14 * DAY));
    expect(answer.entitlements.map((e) => e.featureCode).sort()).toEqual(["api-calls", "export-pdf"]);
    expect(answer.grace?.token).toBeTruthy();

    const license = await db.handle.db.license.findUniqueOrThrow({
      where: { key: answer.licenseKey ?? "" },
      select: {
        trial: true,
        customerId: true,
        policyId: true,
        metadata: true,
        machines: { select: { fingerprint: true, components: true } },
        trialRecord: { select: { fingerprint: true, ip: true, expiresAt: true, policyId: true } },
      },
    });
    expect(license).toMatchObject({ trial: true, customerId: trialCustomer.id, policyId: policy.id });
    expect(JSON.parse(license.metadata)).toEqual({ trialEmail: "a@example.com" });
    expect(license.machines).toEqual([{ fingerprint: fp, components: JSON.stringify({ board: "b1" }) }]);
    expect(license.trialRecord).toMatchObject({ fingerprint: fp, ip: "203.0.113.7", policyId: policy.id });
    const audit = await db.handle.db.auditEvent.findFirst({
      where: { action: "trial.start" },
      orderBy: { seq: "desc" },
      select: { actorType: true, targetType: true },
    });
    expect(audit).toEqual({ actorType: "client", targetType: "license" });

    const key = answer.licenseKey ?? "";
    const here = await validateLicense(ctx, { licenseKey: key, client: client(product.code, fp) });
    expect(here.status).toBe("VALID");
    const elsewhere = await validateLicense(ctx, {
      licenseKey: key,
      client: client(product.code, fingerprint()),
    });
    expect(elsewhere.status).toBe("FINGERPRINT_MISMATCH");
  });

  it("refuses a second trial on the same machine, writing nothing", async () => {
    const { product } = await makeTrialProduct(db);
    const fp = fingerprint();
    expect((await startTrial(ctx, { client: client(product.code, fp) })).status).toBe("VALID");
    db.clock.advance(DAY);
    const before = await counts();
    const again = await startTrial(ctx, { client: client(product.code, fp) });
    expect(again.status).toBe("TRIAL_ALREADY_USED");
    expect(again.message).toContain(`the trial of ${product.code} on`);
    expect(again.licenseKey).toBeNull();
    expect(await counts()).toEqual(before);
  });

  it("recognises the machine by its components under the policy's rule (most), not by fingerprint alone", async () => {
    const { product } = await makeTrialProduct(db, { machineMatching: "most" });
    const parts = { board: "b", disk: "d", cpu: "c", mac: "m" };
    expect((await startTrial(ctx, { client: client(product.code, fingerprint(), parts) })).status).toBe(
      "VALID",
    );
    const before = await counts();
    // a new fingerprint (a BIOS update), three of four components the same: the same machine
    const changed = await startTrial(ctx, {
      client: client(product.code, fingerprint(), { ...parts, mac: "new-nic" }),
    });
    expect(changed.status).toBe("TRIAL_ALREADY_USED");
    expect(await counts()).toEqual(before);
    // half the components the same is not "most": another machine
    const other = await startTrial(ctx, {
      client: client(product.code, fingerprint(), { board: "b", disk: "d", cpu: "x", mac: "y" }),
    });
    expect(other.status).toBe("VALID");
  });

  it("with machineMatching fingerprint, equal components on a new fingerprint are another machine", async () => {
    const { product } = await makeTrialProduct(db);
    const parts = { board: "b", disk: "d" };
    expect((await startTrial(ctx, { client: client(product.code, fingerprint(), parts) })).status).toBe(
      "VALID",
    );
    expect((await startTrial(ctx, { client: client(product.code, fingerprint(), parts) })).status).toBe(
      "VALID",
    );
  });

  it("gives 20 concurrent StartTrials from one machine exactly one trial", async () => {
    const { product } = await makeTrialProduct(db);
    const fp = fingerprint();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => startTrial(ctx, { client: client(product.code, fp) })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === "VALID")).toHaveLength(1);
    expect(statuses.filter((s) => s === "TRIAL_ALREADY_USED")).toHaveLength(19);
    expect(await db.handle.db.trial.count({ where: { productId: product.id } })).toBe(1);
    expect(await db.handle.db.license.count({ where: { productId: product.id } })).toBe(1);
  });

  it("answers TRIAL_NOT_AVAILABLE for a product without a (live) trial policy, an unknown or archived product, writing nothing", async () => {
    const { product } = await makeProduct(db);
    const before = await counts();
    const none = await startTrial(ctx, { client: client(product.code, fingerprint()) });
    expect(none).toMatchObject({
      status: "TRIAL_NOT_AVAILABLE",
      message: `product ${product.code} offers no trial`,
    });
    const unknown = await startTrial(ctx, { client: client("no-such-product", fingerprint()) });
    expect(unknown.status).toBe("TRIAL_NOT_AVAILABLE");

    const archivedPolicy = await makeTrialProduct(db);
    await db.handle.db.policy.update({
      where: { id: archivedPolicy.policy.id },
      data: { archivedAt: db.clock.now() },
    });
    const afterArchive = await counts();
    expect(
      (await startTrial(ctx, { client: client(archivedPolicy.product.code, fingerprint()) })).status,
    ).toBe("TRIAL_NOT_AVAILABLE");
    const archivedProduct = await makeTrialProduct(db);
    await db.handle.db.product.update({
      where: { id: archivedProduct.product.id },
      data: { archivedAt: db.clock.now() },
    });
    const afterProduct = await counts();
    expect(
      (await startTrial(ctx, { client: client(archivedProduct.product.code, fingerprint()) })).status,
    ).toBe("TRIAL_NOT_AVAILABLE");
    expect(await counts()).toEqual(afterProduct);
    expect(afterArchive.licenses).toBe(before.licenses);
  });

  it("refuses bad input with a field path, writing nothing", async () => {
    const before = await counts();
    const error = await expectDomainError(
      startTrial(ctx, { client: { productCode: "x", fingerprint: " " } }),
      "INVALID_ARGUMENT",
    );
    expect(error.fields.map((f) => f.path)).toContain("client.fingerprint");
    await expectDomainError(
      startTrial(ctx, { client: client("x", fingerprint()), email: "not an email" }),
      "INVALID_ARGUMENT",
    );
    expect(await counts()).toEqual(before);
  });

  it("answers TRIAL_EXPIRED once the clock passes the trial's duration", async () => {
    const { product } = await makeTrialProduct(db, { durationDays: 7 });
    const fp = fingerprint();
    const started = await startTrial(ctx, { client: client(product.code, fp) });
    const licenseKey = started.licenseKey ?? "";
    db.clock.advance(7 * DAY - 1000);
    expect((await validateLicense(ctx, { licenseKey, client: client(product.code, fp) })).status).toBe(
      "VALID",
    );
    db.clock.advance(2000);
    const expired = await validateLicense(ctx, { licenseKey, client: client(product.code, fp) });
    expect(expired.status).toBe("TRIAL_EXPIRED");
    // and the machine still may not start another
    expect((await startTrial(ctx, { client: client(product.code, fp) })).status).toBe("TRIAL_ALREADY_USED");
  });

  it("issues a restrict trial license even from a policy (stored before the rule) saying allow", async () => {
    const world = await makeTrialProduct(db);
    await db.handle.db.policy.update({ where: { id: world.policy.id }, data: { expiryStrategy: "allow" } });
    const { licenseKey } = await startTrial(ctx, { client: client(world.product.code, fingerprint()) });
    const license = await db.handle.db.license.findUniqueOrThrow({
      where: { key: licenseKey ?? "" },
      select: { expiryStrategy: true, overrides: true },
    });
    expect(license.expiryStrategy).toBe("restrict");
    // recorded as the trial's own term, so a change of the policy does not undo it
    expect(JSON.parse(license.overrides)).toContain("expiryStrategy");
  });

  describe("conversion by an admin", () => {
    it("makes the same key a paid license on the same machine, valid past the trial's end", async () => {
      const world = await makeTrialProduct(db, { durationDays: 7 });
      const payer = await makeCustomer(db, world.group.id);
      const fp = fingerprint();
      const started = await startTrial(ctx, { client: client(world.product.code, fp) });
      const licenseKey = started.licenseKey ?? "";
      const trial = await db.handle.db.trial.findFirstOrThrow({
        where: { productId: world.product.id },
        select: { id: true },
      });
      const editor = db.ctx(actor("editor", [world.group.id]));
      const converted = await convertTrial(editor, {
        trialId: trial.id,
        customerId: payer.id,
        policyId: world.standard.id,
      });
      expect(converted).toMatchObject({
        status: "converted",
        convertedBy: "admin",
        customer: { id: payer.id },
      });
      const license = await db.handle.db.license.findUniqueOrThrow({
        where: { key: licenseKey },
        select: {
          id: true,
          trial: true,
          customerId: true,
          policyId: true,
          seatLimit: true,
          expiresAt: true,
          entitlements: { select: { featureId: true } },
          machines: { select: { fingerprint: true } },
        },
      });
      expect(license).toMatchObject({
        trial: false,
        customerId: payer.id,
        policyId: world.standard.id,
        seatLimit: 2,
        expiresAt: new Date(db.clock.now().getTime() + 365 * DAY),
        entitlements: [{ featureId: world.features.exportPdf.id }],
        machines: [{ fingerprint: fp }],
      });
      expect(converted.convertedLicenseId).toBe(license.id);
      db.clock.advance(30 * DAY);
      const later = await validateLicense(ctx, { licenseKey, client: client(world.product.code, fp) });
      expect(later.status).toBe("VALID");
      expect(later.license?.trial).toBe(false);
      const audit = await db.handle.db.auditEvent.count({
        where: { action: "trial.convert", targetId: license.id },
      });
      expect(audit).toBe(1);

      // twice: refused, nothing changed
      await expectDomainError(
        convertTrial(editor, { trialId: trial.id, customerId: payer.id, policyId: world.standard.id }),
        "FAILED_PRECONDITION",
      );
    });

    it("converts an expired trial with given terms and expiry", async () => {
      const world = await makeTrialProduct(db, { durationDays: 3 });
      const payer = await makeCustomer(db, world.group.id);
      const fp = fingerprint();
      const { licenseKey } = await startTrial(ctx, { client: client(world.product.code, fp) });
      db.clock.advance(4 * DAY);
      expect(
        (await validateLicense(ctx, { licenseKey: licenseKey ?? "", client: client(world.product.code, fp) }))
          .status,
      ).toBe("TRIAL_EXPIRED");
      const trial = await db.handle.db.trial.findFirstOrThrow({
        where: { productId: world.product.id },
        select: { id: true },
      });
      await convertTrial(db.ctx(), {
        trialId: trial.id,
        customerId: payer.id,
        terms: { seatLimit: 1 },
        expiresAt: new Date(db.clock.now().getTime() + 90 * DAY).toISOString(),
      });
      expect(
        (await validateLicense(ctx, { licenseKey: licenseKey ?? "", client: client(world.product.code, fp) }))
          .status,
      ).toBe("VALID");
    });

    it("refuses a policy of another product, a trial policy, a customer outside the actor's groups, a viewer", async () => {
      const world = await makeTrialProduct(db);
      const other = await makeTrialProduct(db);
      const payer = await makeCustomer(db, world.group.id);
      await startTrial(ctx, { client: client(world.product.code, fingerprint()) });
      const trial = await db.handle.db.trial.findFirstOrThrow({
        where: { productId: world.product.id },
        select: { id: true },
      });
      const outsider = db.ctx(actor("editor", [(await makeGroup(db)).id]));
      const before = await counts();
      const wrongProduct = await expectDomainError(
        convertTrial(db.ctx(), { trialId: trial.id, customerId: payer.id, policyId: other.standard.id }),
        "INVALID_ARGUMENT",
      );
      expect(wrongProduct.fields.map((f) => f.path)).toEqual(["policyId"]);
      await expectDomainError(
        convertTrial(db.ctx(), { trialId: trial.id, customerId: payer.id, policyId: world.policy.id }),
        "INVALID_ARGUMENT",
      );
      await expectDomainError(
        convertTrial(outsider, { trialId: trial.id, customerId: payer.id }),
        "NOT_FOUND",
      );
      await expectDomainError(
        convertTrial(db.ctx(actor("viewer", [world.group.id])), { trialId: trial.id, customerId: payer.id }),
        "FORBIDDEN",
      );
      await expectDomainError(
        convertTrial(db.ctx(), { trialId: "no-such-trial", customerId: payer.id }),
        "NOT_FOUND",
      );
      expect(await counts()).toEqual(before);
    });
  });

  describe("conversion by a key entered", () => {
    it("marks the machine's trial converted when a paid node-locked key binds it", async () => {
      const world = await makeTrialProduct(db);
      const fp = fingerprint();
      await startTrial(ctx, { client: client(world.product.code, fp) });
      const paid = await createLicense(db.ctx(), {
        customerId: world.trialCustomer.id,
        productId: world.product.id,
        type: "node_locked",
        seatLimit: 1,
      });
      const answer = await validateLicense(ctx, {
        licenseKey: paid.key,
        client: client(world.product.code, fp),
      });
      expect(answer.status).toBe("VALID");
      const trial = await db.handle.db.trial.findFirstOrThrow({
        where: { productId: world.product.id },
        select: { convertedAt: true, convertedBy: true, convertedLicenseId: true },
      });
      expect(trial).toEqual({
        convertedAt: db.clock.now(),
        convertedBy: "key_entered",
        convertedLicenseId: paid.id,
      });
      expect(
        await db.handle.db.auditEvent.count({ where: { action: "trial.convert", targetId: paid.id } }),
      ).toBe(1);
      // an ordinary validation afterwards writes nothing more
      const audit = await db.handle.db.auditEvent.count();
      await validateLicense(ctx, { licenseKey: paid.key, client: client(world.product.code, fp) });
      expect(await db.handle.db.auditEvent.count()).toBe(audit);
    });

    it("marks it converted when a paid floating key activates on the machine", async () => {
      const world = await makeTrialProduct(db);
      const fp = fingerprint();
      await startTrial(ctx, { client: client(world.product.code, fp) });
      const paid = await createLicense(db.ctx(), {
        customerId: world.trialCustomer.id,
        productId: world.product.id,
        type: "floating",
        seatLimit: 5,
      });
      const answer = await activateSession(ctx, {
        licenseKey: paid.key,
        client: client(world.product.code, fp),
      });
      expect(answer.status).toBe("VALID");
      const trial = await db.handle.db.trial.findFirstOrThrow({
        where: { productId: world.product.id },
        select: { convertedBy: true, convertedLicenseId: true },
      });
      expect(trial).toEqual({ convertedBy: "key_entered", convertedLicenseId: paid.id });
    });
  });

  it("lists trials by product and status, and counts started, converted and the rate", async () => {
    const world = await makeTrialProduct(db, { durationDays: 10 });
    const payer = await makeCustomer(db, world.group.id);
    const keys: string[] = [];
    for (let i = 0; i < 4; i++) {
      const started = await startTrial(ctx, { client: client(world.product.code, fingerprint()) });
      keys.push(started.licenseKey ?? "");
    }
    const all = await listTrials(db.ctx(), { productId: world.product.id });
    expect(all.total).toBe(4);
    const first = all.items[3];
    if (!first) throw new Error("no trial");
    await convertTrial(db.ctx(), { trialId: first.id, customerId: payer.id, policyId: world.standard.id });
    expect((await listTrials(db.ctx(), { productId: world.product.id, status: "converted" })).total).toBe(1);
    expect((await listTrials(db.ctx(), { productId: world.product.id, status: "active" })).total).toBe(3);
    expect((await listTrials(db.ctx(), { productId: world.product.id, status: "expired" })).total).toBe(0);

    const stats = await trialStats(db.ctx(), { productId: world.product.id });
    expect(stats.last30Days).toEqual({ started: 4, converted: 1, conversionRate: 0.25 });
    expect(stats.allTime).toEqual({ started: 4, converted: 1, conversionRate: 0.25 });
    expect(stats.active).toBe(3);

    db.clock.advance(11 * DAY);
    expect((await listTrials(db.ctx(), { productId: world.product.id, status: "expired" })).total).toBe(3);
    db.clock.advance(30 * DAY);
    const later = await trialStats(db.ctx(), { productId: world.product.id });
    expect(later.last30Days).toEqual({ started: 0, converted: 0, conversionRate: null });
    expect(later.allTime.started).toBe(4);

    // scoped by group: another group's viewer sees none of them
    const outsider = db.ctx(actor("viewer", [(await makeGroup(db)).id]));
    expect((await listTrials(outsider, { productId: world.product.id })).total).toBe(0);
    const summary = await getDashboardSummary(db.ctx(actor("viewer", [world.group.id])));
    expect(summary.trials?.allTime.started).toBeGreaterThanOrEqual(4);

    await expectDomainError(listTrials(db.ctx(), { status: "paused" as never }), "INVALID_ARGUMENT");
  });
});
