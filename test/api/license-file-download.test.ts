// POST /api/licenses/{id}/checkout through its real handler (the Next route file only forwards to
// it): the file as a download, and errors in the REST API's shape and statuses.
import { createHash } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { verifyLicenseFile } from "../../sdk/src/license-file.ts";
import { issueAccessToken } from "../../src/server/auth/jwt.ts";
import { hashPassword } from "../../src/server/crypto/password.ts";
import type { Role } from "../../src/server/core/context.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { handleRestRequest } from "../../src/server/trpc/handlers.ts";
import { handleLicenseFileDownload } from "../../src/server/trpc/license-file-download.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeLicense, makeWorld, unique } from "../support/fixtures.ts";
import { testServices } from "../support/admin-services.ts";

const BASE = "http://127.0.0.1:3000";
const JWT_SECRET = "d".repeat(40);

interface ErrorBody {
  message: string;
  code: string;
  data: { domainCode: string | null; fields: { path: string }[] };
}

describeEachDb("license file download", (getDb) => {
  let db: TestDb;
  let services: ApiServices;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  let editor: string;
  let viewer: string;

  const tokenFor = async (role: Role, groupIds: string[]) => {
    const admin = await db.handle.db.admin.create({
      data: {
        email: `${unique(role)}@example.com`,
        role,
        passwordHash: await hashPassword("download-test-password"),
        passwordChangedAt: new Date(db.clock.now().getTime() - 60_000),
        groups: { create: groupIds.map((groupId) => ({ groupId })) },
      },
      select: { id: true },
    });
    return (await issueAccessToken(JWT_SECRET, admin.id, db.clock.now())).token;
  };

  const download = (id: string, init: { token?: string; body?: string; contentType?: string } = {}) => {
    const headers = new Headers({ "x-forwarded-for": "192.0.2.44" });
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    if (init.contentType) headers.set("content-type", init.contentType);
    return handleLicenseFileDownload(
      new Request(`${BASE}/api/licenses/${id}/checkout`, { method: "POST", headers, body: init.body }),
      services,
      id,
    );
  };

  beforeAll(async () => {
    db = getDb();
    services = testServices(db, JWT_SECRET);
    world = await makeWorld(db);
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    editor = await tokenFor("editor", [world.groupA.id]);
    viewer = await tokenFor("viewer", [world.groupA.id]);
  });

  it("answers 200 with the file as an attachment; the file verifies and its issuance is recorded", async () => {
    const license = await makeLicense(db, world.customer.id, world.product.id, { offlineAllowanceDays: 14 });
    const response = await download(license.id, {
      token: editor,
      contentType: "application/json",
      body: JSON.stringify({ days: 5, fingerprint: "host-dl", encrypt: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-license-file");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const disposition = response.headers.get("content-disposition") ?? "";
    expect(disposition).toMatch(
      new RegExp(`^attachment; filename="${world.product.code}-\\d{8}-[0-9a-f]{8}\\.lic"$`),
    );
    const text = await response.text();

    const keyring = await publicKeyring(db.handle.db);
    const verified = await verifyLicenseFile(text, keyring, { fingerprint: "host-dl", now: db.clock.now() });
    expect(verified).toMatchObject({
      valid: true,
      encrypted: true,
      expiresAt: new Date(db.clock.now().getTime() + 5 * 86_400_000),
    });
    const id = response.headers.get("x-license-file-id") ?? "";
    const row = await db.handle.db.offlineIssuance.findUniqueOrThrow({
      where: { id },
      select: { licenseId: true, sha256: true, fingerprint: true, encrypted: true },
    });
    expect(row).toEqual({
      licenseId: license.id,
      sha256: createHash("sha256").update(text).digest("hex"),
      fingerprint: "host-dl",
      encrypted: true,
    });
    expect(
      await db.handle.db.auditEvent.count({ where: { action: "license.checkout", targetId: license.id } }),
    ).toBe(1);

    // a JSON body without its content type (as `curl -d` sends it) is read as JSON
    const unlabelled = await download(license.id, { token: editor, body: JSON.stringify({ days: 2 }) });
    expect(unlabelled.status).toBe(200);
    expect(
      await verifyLicenseFile(await unlabelled.text(), keyring, {
        now: new Date(db.clock.now().getTime() + 2 * 86_400_000),
      }),
    ).toEqual({ valid: false, reason: "EXPIRED" });

    // no body: the license's defaults (its whole allowance, not bound)
    const plain = await download(license.id, { token: editor });
    expect(plain.status).toBe(200);
    const defaults = await verifyLicenseFile(await plain.text(), keyring, { now: db.clock.now() });
    expect(defaults).toMatchObject({
      valid: true,
      encrypted: false,
      payload: { fingerprint: null },
      expiresAt: new Date(db.clock.now().getTime() + 14 * 86_400_000),
    });
  });

  it("answers errors as JSON with the REST API's statuses and shape, writing nothing", async () => {
    const license = await makeLicense(db, world.customer.id, world.product.id, { offlineAllowanceDays: 7 });
    const noOffline = await makeLicense(db, world.customer.id, world.product.id);
    const before = await db.handle.db.offlineIssuance.count();
    const audits = await db.handle.db.auditEvent.count();
    const json = async (response: Response) => {
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(response.headers.get("content-disposition")).toBeNull();
      return (await response.json()) as ErrorBody;
    };

    const anonymous = await download(license.id);
    expect(anonymous.status).toBe(401);
    expect((await json(anonymous)).code).toBe("UNAUTHORIZED");

    const tooLong = await download(license.id, {
      token: editor,
      contentType: "application/json",
      body: JSON.stringify({ days: 8 }),
    });
    expect(tooLong.status).toBe(400);
    const tooLongBody = await json(tooLong);
    expect(tooLongBody).toMatchObject({ code: "BAD_REQUEST", data: { domainCode: "INVALID_ARGUMENT" } });
    expect(tooLongBody.message).toMatch(/at most 7/);
    expect(tooLongBody.data.fields.map((f) => f.path)).toEqual(["days"]);
    // the same answer as the REST operation gives
    const viaRest = await handleRestRequest(
      new Request(`${BASE}/api/v1/licenses/${license.id}/checkout`, {
        method: "POST",
        headers: { authorization: `Bearer ${editor}`, "content-type": "application/json" },
        body: JSON.stringify({ days: 8 }),
      }),
      services,
    );
    expect(await viaRest.json()).toEqual(tooLongBody);

    const encryptUnbound = await download(license.id, {
      token: editor,
      contentType: "application/json",
      body: JSON.stringify({ encrypt: true }),
    });
    expect(encryptUnbound.status).toBe(400);
    expect((await json(encryptUnbound)).data.fields.map((f) => f.path)).toEqual(["fingerprint"]);

    const notJson = await download(license.id, {
      token: editor,
      contentType: "application/json",
      body: "{ days",
    });
    expect(notJson.status).toBe(400);
    await json(notJson);

    const forbidden = await download(license.id, { token: viewer });
    expect(forbidden.status).toBe(403);
    expect((await json(forbidden)).code).toBe("FORBIDDEN");

    const missing = await download("no-such-license", { token: editor });
    expect(missing.status).toBe(404);
    expect((await json(missing)).message).toMatch(/no-such-license was not found/);

    const refused = await download(noOffline.id, { token: editor });
    expect(refused.status).toBe(412);
    const refusedBody = await json(refused);
    expect(refusedBody.message).toMatch(/offline files are not allowed/);
    expect(JSON.stringify(refusedBody)).not.toMatch(/stack|at .*\.ts/);

    expect(await db.handle.db.offlineIssuance.count()).toBe(before);
    expect(await db.handle.db.auditEvent.count()).toBe(audits);
  });
});
