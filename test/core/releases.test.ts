// Releases: a product's versions with their release dates (the maintain_versions expiry strategy
// reads them). Publishing normalises and refuses bad or duplicate versions, writing nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { deleteRelease } from "../../src/server/core/releases/delete-release.ts";
import { listReleases } from "../../src/server/core/releases/list-releases.ts";
import { publishRelease } from "../../src/server/core/releases/publish-release.ts";
import { versionCovered } from "../../sdk/src/version-coverage.ts";
import { actor, describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { auditCount, makeProduct } from "../support/fixtures.ts";

describeEachDb("releases", (getDb) => {
  let db: TestDb;
  let productId: string;

  beforeAll(async () => {
    db = getDb();
    productId = (await makeProduct(db)).product.id;
  });

  const releases = () => db.handle.db.release.count({ where: { productId } });

  it("publishes a version, normalised, dated now by default, and audits it", async () => {
    const release = await publishRelease(db.ctx(), { productId, version: " v1.2.0 ", notes: "first" });
    expect(release).toMatchObject({ productId, version: "1.2.0", notes: "first" });
    expect(release.releasedAt).toEqual(db.clock.now());
    const event = await db.handle.db.auditEvent.findFirstOrThrow({
      where: { action: "release.publish", targetId: release.id },
      select: { summary: true },
    });
    expect(JSON.parse(event.summary)).toMatchObject({ version: "1.2.0", productId });
  });

  it("lists releases newest version first, by semver rather than by date or text", async () => {
    const at = (iso: string) => new Date(iso);
    await publishRelease(db.ctx(), { productId, version: "1.10.0", releasedAt: at("2026-01-01T00:00:00Z") });
    await publishRelease(db.ctx(), { productId, version: "1.9.3", releasedAt: "2026-03-01T00:00:00Z" });
    await publishRelease(db.ctx(), {
      productId,
      version: "2.0.0-beta.1",
      releasedAt: at("2025-01-01T00:00:00Z"),
    });
    const list = await listReleases(db.ctx(actor("viewer", [])), { productId });
    expect(list.map((r) => r.version)).toEqual(["2.0.0-beta.1", "1.10.0", "1.9.3", "1.2.0"]);
  });

  describe("refuses, writing nothing", () => {
    it("a version that is not semver: INVALID_ARGUMENT on the version field", async () => {
      const [before, events] = [await releases(), await auditCount(db)];
      const error = await expectDomainError(
        publishRelease(db.ctx(), { productId, version: "not-semver" }),
        "INVALID_ARGUMENT",
      );
      expect(error.fields.map((f) => f.path)).toEqual(["version"]);
      expect(error.fields[0]?.message).toBe(
        '"not-semver" is not a semver version (e.g. 1.4.0 or 2.0.0-beta.1)',
      );
      await expectDomainError(publishRelease(db.ctx(), { productId, version: "1.2" }), "INVALID_ARGUMENT");
      expect([await releases(), await auditCount(db)]).toEqual([before, events]);
    });

    it("build metadata: refused, naming the version to publish instead", async () => {
      const error = await expectDomainError(
        publishRelease(db.ctx(), { productId, version: "3.0.0+ci.7" }),
        "INVALID_ARGUMENT",
      );
      expect(error.fields[0]?.message).toContain("publish 3.0.0");
    });

    it("a version already published (also written differently): CONFLICT", async () => {
      const [before, events] = [await releases(), await auditCount(db)];
      const error = await expectDomainError(
        publishRelease(db.ctx(), { productId, version: "v1.2.0" }),
        "CONFLICT",
      );
      expect(error.message).toContain("1.2.0");
      expect(error.fields).toEqual([{ path: "version", message: "is already published" }]);
      expect([await releases(), await auditCount(db)]).toEqual([before, events]);
    });

    it("an unknown product: NOT_FOUND; a bad date: INVALID_ARGUMENT", async () => {
      await expectDomainError(
        publishRelease(db.ctx(), { productId: "no-such", version: "1.0.0" }),
        "NOT_FOUND",
      );
      await expectDomainError(listReleases(db.ctx(), { productId: "no-such" }), "NOT_FOUND");
      await expectDomainError(
        publishRelease(db.ctx(), { productId, version: "4.0.0", releasedAt: "yesterday" }),
        "INVALID_ARGUMENT",
      );
    });

    it("without the permission: an editor or an admin may not publish, a viewer may list", async () => {
      for (const role of ["editor", "admin"] as const) {
        await expectDomainError(
          publishRelease(db.ctx(actor(role, [])), { productId, version: "5.0.0" }),
          "FORBIDDEN",
        );
      }
    });
  });

  it("deletes a release, audited; an unknown one is NOT_FOUND", async () => {
    const release = await publishRelease(db.ctx(), { productId, version: "0.9.0" });
    await expectDomainError(deleteRelease(db.ctx(actor("admin", [])), { id: release.id }), "FORBIDDEN");
    await expect(deleteRelease(db.ctx(), { id: release.id })).resolves.toEqual({
      id: release.id,
    });
    expect(await db.handle.db.release.findUnique({ where: { id: release.id } })).toBeNull();
    expect(
      await db.handle.db.auditEvent.count({ where: { action: "release.delete", targetId: release.id } }),
    ).toBe(1);
    await expectDomainError(deleteRelease(db.ctx(), { id: release.id }), "NOT_FOUND");
  });
});

describe("versionCovered (the maintain_versions rule, shared with the SDK)", () => {
  it("covers up to the highest version released before the expiry, nothing later", () => {
    expect(versionCovered("1.0.0", "1.0.0")).toBe(true);
    expect(versionCovered("0.9.9", "1.0.0")).toBe(true);
    expect(versionCovered("1.0.5", "1.0.0")).toBe(false);
    expect(versionCovered("v1.0.0+build.3", "1.0.0")).toBe(true);
    expect(versionCovered("1.1.0", "1.0.0")).toBe(false);
    expect(versionCovered("1.1.0-beta.1", "1.0.0")).toBe(false);
    expect(versionCovered("2.0.0", "1.0.0")).toBe(false);
    expect(versionCovered("", "1.0.0")).toBe(false);
    expect(versionCovered("abc", "1.0.0")).toBe(false);
  });
});
