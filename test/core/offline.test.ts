// Offline license files on the server: checkout rules, the issuance record and its audit event, the
// file verified by the SDK with the published keyring, before and after a key rotation.
import { createHash } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { verifyLicenseFile } from "../../sdk/src/license-file.ts";
import { revokeLicense } from "../../src/server/core/licenses/revoke-license.ts";
import { suspendLicense } from "../../src/server/core/licenses/suspend-license.ts";
import { checkoutLicenseFile } from "../../src/server/core/offline/checkout-license-file.ts";
import { listOfflineIssuances } from "../../src/server/core/offline/list-offline-issuances.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { retireSigningKey } from "../../src/server/core/signing-keys/retire-signing-key.ts";
import { rotateSigningKey } from "../../src/server/core/signing-keys/rotate-signing-key.ts";
import { actor, describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { independentVerify } from "../support/license-file-verifier.ts";
import { auditCount, makeLicense, makeWorld } from "../support/fixtures.ts";

const DAY = 86_400_000;

describeEachDb("offline license files", (getDb) => {
  let db: TestDb;
  let world: Awaited<ReturnType<typeof makeWorld>>;

  beforeAll(async () => {
    db = getDb();
    world = await makeWorld(db);
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
  });

  const editorA = () => db.ctx(actor("editor", [world.groupA.id], "editor-a"));
  const offlineLicense = (extra: Parameters<typeof makeLicense>[3] = {}) =>
    makeLicense(db, world.customer.id, world.product.id, {
      offlineAllowanceDays: 30,
      seatLimit: 4,
      entitlements: [
        { featureId: world.features.exportPdf.id },
        { featureId: world.features.apiCalls.id, quota: 500, quotaPeriod: "day" },
      ],
      ...extra,
    });
  const keyring = async () =>
    (await publicKeyring(db.handle.db)).map(({ kid, publicKeyPem }) => ({ kid, publicKeyPem }));
  const issuances = (licenseId: string) => db.handle.db.offlineIssuance.count({ where: { licenseId } });

  it("checks out a signed file, records the issuance and its audit event in the database", async () => {
    const license = await offlineLicense();
    const now = db.clock.now();
    const out = await checkoutLicenseFile(editorA(), { id: license.id, fingerprint: "host-7f3a" });
    expect(out.fileName).toMatch(new RegExp(`^${world.product.code}-\\d{8}-[0-9a-f]{8}\\.lic$`));
    expect(out.content.startsWith("-----BEGIN LICENSE FILE-----\n")).toBe(true);

    // the default validity is the license's offline allowance
    const expiresAt = new Date(now.getTime() + 30 * DAY);
    const row = await db.handle.db.offlineIssuance.findUniqueOrThrow({ where: { id: out.issuance.id } });
    const active = (await publicKeyring(db.handle.db)).find((k) => k.active);
    expect(row).toEqual({
      id: out.issuance.id,
      licenseId: license.id,
      kid: active?.kid,
      fingerprint: "host-7f3a",
      encrypted: false,
      issuedAt: now,
      expiresAt,
      issuedBy: "editor@example.com",
      sha256: createHash("sha256").update(out.content).digest("hex"),
    });
    expect(out.issuance).toEqual(row);

    const event = await db.handle.db.auditEvent.findFirstOrThrow({
      where: { action: "license.checkout", targetId: license.id },
      select: { actorType: true, actorId: true, targetType: true, summary: true },
    });
    expect(event).toMatchObject({ actorType: "admin", actorId: "editor-a", targetType: "license" });
    expect(JSON.parse(event.summary)).toMatchObject({
      issuanceId: out.issuance.id,
      kid: active?.kid,
      days: 30,
      fingerprint: "host-7f3a",
      encrypted: false,
      sha256: row.sha256,
    });

    const verified = await verifyLicenseFile(out.content, await keyring(), {
      fingerprint: "host-7f3a",
      now,
      licenseKey: license.key,
      productCode: world.product.code,
    });
    if (!verified.valid) throw new Error(verified.reason);
    expect(verified.expiresAt).toEqual(expiresAt);
    expect(verified.payload).toMatchObject({
      id: out.issuance.id,
      kid: active?.kid,
      issuedAt: now.toISOString(),
      notBefore: now.toISOString(),
      fingerprint: "host-7f3a",
      license: { id: license.id, type: "floating", seats: 4, expiresAt: null },
      customer: { id: world.customer.id, name: world.customer.name },
      product: { id: world.product.id, code: world.product.code, name: world.product.name },
      entitlements: [
        { code: "api-calls", kind: "metered", unit: "calls", quota: 500, quotaPeriod: "day" },
        { code: "export-pdf", kind: "boolean", unit: null, quota: null, quotaPeriod: "total" },
      ],
    });
    expect(out.content).not.toContain(license.key);
    // and by the verifier written from the spec with node:crypto alone
    const pems = Object.fromEntries((await keyring()).map((k) => [k.kid, k.publicKeyPem]));
    expect(independentVerify(out.content, pems, { now, fingerprint: "host-7f3a" })).toEqual({
      ok: true,
      payload: verified.payload,
    });
    expect(
      await verifyLicenseFile(out.content, await keyring(), {
        fingerprint: "host-7f3a",
        now: expiresAt,
      }),
    ).toEqual({ valid: false, reason: "EXPIRED" });
    expect(await verifyLicenseFile(out.content, await keyring(), { fingerprint: "other", now })).toEqual({
      valid: false,
      reason: "FINGERPRINT_MISMATCH",
    });

    // listed, newest first, for readers of the license's group
    db.clock.advance(1000);
    const second = await checkoutLicenseFile(editorA(), { id: license.id, days: 7 });
    const viewer = db.ctx(actor("viewer", [world.groupA.id]));
    const page = await listOfflineIssuances(viewer, { id: license.id });
    expect(page.total).toBe(2);
    expect(page.items.map((i) => i.id)).toEqual([second.issuance.id, out.issuance.id]);
    expect(page.items[0]).toMatchObject({
      fingerprint: null,
      expiresAt: new Date(now.getTime() + 1000 + 7 * DAY),
    });
    await expectDomainError(
      listOfflineIssuances(db.ctx(actor("viewer", [world.groupB.id])), { id: license.id }),
      "NOT_FOUND",
    );
  });

  it("encrypts for the bound machine on request", async () => {
    const license = await offlineLicense();
    const now = db.clock.now();
    const out = await checkoutLicenseFile(editorA(), {
      id: license.id,
      days: 10,
      fingerprint: "host-enc",
      encrypt: true,
    });
    expect(out.issuance).toMatchObject({ encrypted: true, fingerprint: "host-enc" });
    const ring = await keyring();
    const ok = await verifyLicenseFile(out.content, ring, { fingerprint: "host-enc", now });
    expect(ok).toMatchObject({ valid: true, encrypted: true, expiresAt: new Date(now.getTime() + 10 * DAY) });
    const pems = Object.fromEntries(ring.map((k) => [k.kid, k.publicKeyPem]));
    expect(independentVerify(out.content, pems, { now, fingerprint: "host-enc" }).ok).toBe(true);
    expect(await verifyLicenseFile(out.content, ring, { now })).toEqual({
      valid: false,
      reason: "FINGERPRINT_REQUIRED",
    });
    expect(await verifyLicenseFile(out.content, ring, { fingerprint: "host-other", now })).toEqual({
      valid: false,
      reason: "FINGERPRINT_MISMATCH",
    });
  });

  it("never outlives the license, and starts with a license that starts later", async () => {
    const now = db.clock.now();
    const ending = await offlineLicense({ expiresAt: new Date(now.getTime() + 5 * DAY) });
    const capped = await checkoutLicenseFile(editorA(), { id: ending.id, days: 30 });
    expect(capped.issuance.expiresAt).toEqual(new Date(now.getTime() + 5 * DAY));

    const later = await offlineLicense({ startsAt: new Date(now.getTime() + 2 * DAY) });
    const early = await checkoutLicenseFile(editorA(), { id: later.id, days: 10 });
    const ring = await keyring();
    expect(await verifyLicenseFile(early.content, ring, { now })).toEqual({
      valid: false,
      reason: "NOT_YET_VALID",
    });
    expect(
      await verifyLicenseFile(early.content, ring, { now: new Date(now.getTime() + 2 * DAY) }),
    ).toMatchObject({ valid: true });

    const far = await offlineLicense({ startsAt: new Date(now.getTime() + 40 * DAY) });
    await expectDomainError(checkoutLicenseFile(editorA(), { id: far.id }), "FAILED_PRECONDITION");
    expect(await issuances(far.id)).toBe(0);
  });

  it("refuses what the rules forbid, with the right error, writing nothing", async () => {
    const noOffline = await offlineLicense({ offlineAllowanceDays: 0 });
    const short = await offlineLicense({ offlineAllowanceDays: 7 });
    const nodeLocked = await offlineLicense({ type: "node_locked" });
    const suspended = await offlineLicense();
    await suspendLicense(db.ctx(), { id: suspended.id });
    const revoked = await offlineLicense();
    await revokeLicense(db.ctx(), { id: revoked.id });
    const expired = await offlineLicense({ expiresAt: new Date(db.clock.now().getTime() + DAY) });
    await db.handle.db.license.update({
      where: { id: expired.id },
      data: { expiresAt: new Date(db.clock.now().getTime() - 1000) },
    });
    const audits = await auditCount(db);
    const before = await db.handle.db.offlineIssuance.count();

    const refused = async (
      input: Parameters<typeof checkoutLicenseFile>[1],
      code: Parameters<typeof expectDomainError>[1],
      field?: string,
      message?: RegExp,
    ) => {
      const error = await expectDomainError(checkoutLicenseFile(editorA(), input), code);
      if (field) expect(error.fields.map((f) => f.path)).toEqual([field]);
      if (message) expect(error.message).toMatch(message);
    };
    await refused({ id: noOffline.id }, "FAILED_PRECONDITION", undefined, /offline files are not allowed/);
    await refused({ id: noOffline.id, days: 1 }, "FAILED_PRECONDITION");
    await refused({ id: short.id, days: 8 }, "INVALID_ARGUMENT", "days", /at most 7/);
    await refused({ id: short.id, days: 0 }, "INVALID_ARGUMENT", "days");
    await refused({ id: short.id, days: 366 }, "INVALID_ARGUMENT", "days");
    await refused({ id: short.id, days: 1.5 }, "INVALID_ARGUMENT", "days");
    await refused({ id: short.id, encrypt: true }, "INVALID_ARGUMENT", "fingerprint");
    await refused({ id: short.id, fingerprint: "  " }, "INVALID_ARGUMENT", "fingerprint");
    await refused({ id: nodeLocked.id }, "INVALID_ARGUMENT", "fingerprint", /node-locked/);
    await refused({ id: suspended.id }, "FAILED_PRECONDITION", undefined, /suspended/);
    await refused({ id: revoked.id }, "FAILED_PRECONDITION", undefined, /revoked/);
    await refused({ id: expired.id }, "FAILED_PRECONDITION", undefined, /expired/);
    await refused({ id: "no-such-license" }, "NOT_FOUND");

    // roles and groups: a viewer may not, an editor of another group does not see the license
    await expectDomainError(
      checkoutLicenseFile(db.ctx(actor("viewer", [world.groupA.id])), { id: short.id }),
      "FORBIDDEN",
    );
    await expectDomainError(
      checkoutLicenseFile(db.ctx(actor("editor", [world.groupB.id])), { id: short.id }),
      "NOT_FOUND",
    );
    await expectDomainError(
      checkoutLicenseFile(db.ctx({ ...actor("admin", []), type: "client" }), { id: short.id }),
      "FORBIDDEN",
    );

    expect(await auditCount(db)).toBe(audits);
    expect(await db.handle.db.offlineIssuance.count()).toBe(before);

    // the node-locked license with a machine, and the short one within its allowance, are fine
    await checkoutLicenseFile(editorA(), { id: nodeLocked.id, fingerprint: "host-nl" });
    await checkoutLicenseFile(editorA(), { id: short.id, days: 7 });
    expect(await db.handle.db.offlineIssuance.count()).toBe(before + 2);
  });

  it("files signed before a key rotation stay valid until their key is retired", async () => {
    const license = await offlineLicense();
    const now = db.clock.now();
    const before = await checkoutLicenseFile(editorA(), { id: license.id, fingerprint: "host-r" });
    const rotated = await rotateSigningKey(db.ctx());
    const after = await checkoutLicenseFile(editorA(), { id: license.id, fingerprint: "host-r" });
    expect(after.issuance.kid).toBe(rotated.kid);
    expect(before.issuance.kid).not.toBe(rotated.kid);

    const ring = await keyring();
    for (const file of [before, after]) {
      expect(await verifyLicenseFile(file.content, ring, { fingerprint: "host-r", now })).toMatchObject({
        valid: true,
        kid: file.issuance.kid,
      });
    }
    await retireSigningKey(db.ctx(), { kid: before.issuance.kid });
    const retiredRing = await keyring();
    expect(await verifyLicenseFile(before.content, retiredRing, { fingerprint: "host-r", now })).toEqual({
      valid: false,
      reason: "UNKNOWN_KEY",
    });
    expect((await verifyLicenseFile(after.content, retiredRing, { fingerprint: "host-r", now })).valid).toBe(
      true,
    );
  });
});
