import { describe, expect, it } from "vitest";
import { createFeature } from "../../src/server/core/features/create-feature.ts";
import { deleteFeature } from "../../src/server/core/features/delete-feature.ts";
import { listFeatures } from "../../src/server/core/features/list-features.ts";
import { updateFeature } from "../../src/server/core/features/update-feature.ts";
import { createGroup } from "../../src/server/core/groups/create-group.ts";
import { deleteGroup } from "../../src/server/core/groups/delete-group.ts";
import { listGroups } from "../../src/server/core/groups/list-groups.ts";
import { revokeLicense } from "../../src/server/core/licenses/revoke-license.ts";
import { archiveProduct } from "../../src/server/core/products/archive-product.ts";
import { createProduct } from "../../src/server/core/products/create-product.ts";
import { deleteProduct } from "../../src/server/core/products/delete-product.ts";
import { getProduct } from "../../src/server/core/products/get-product.ts";
import { listProducts } from "../../src/server/core/products/list-products.ts";
import { updateProduct } from "../../src/server/core/products/update-product.ts";
import { describeEachDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { makeCustomer, makeProduct, makeWorld, unique } from "../support/fixtures.ts";

describeEachDb("catalog and groups", (getDb) => {
  describe("products", () => {
    it("creates, renames, lists with search and archives", async () => {
      const db = getDb();
      const code = unique("cad");
      const product = await createProduct(db.ctx(), { code, name: "Acme CAD", description: "2D/3D" });
      expect(product).toMatchObject({
        code,
        name: "Acme CAD",
        archivedAt: null,
        featureCount: 0,
        licenseCount: 0,
      });
      await expectDomainError(createProduct(db.ctx(), { code, name: "Duplicate" }), "CONFLICT");

      const renamed = await updateProduct(db.ctx(), { id: product.id, name: "Acme CAD Pro" });
      expect(renamed.name).toBe("Acme CAD Pro");
      const found = await listProducts(db.ctx(), { q: "cad pro" });
      expect(found.items.map((p) => p.id)).toContain(product.id);

      await archiveProduct(db.ctx(), { id: product.id });
      expect((await listProducts(db.ctx(), { q: code })).items).toHaveLength(0);
      expect((await listProducts(db.ctx(), { q: code, includeArchived: true })).items).toHaveLength(1);
      const restored = await archiveProduct(db.ctx(), { id: product.id, archived: false });
      expect(restored.archivedAt).toBeNull();
    });

    it("refuses to archive or delete a product with active licenses, then deletes it once they ended", async () => {
      const db = getDb();
      const { product, license } = await makeWorld(db);
      const archiveError = await expectDomainError(
        archiveProduct(db.ctx(), { id: product.id }),
        "FAILED_PRECONDITION",
      );
      expect(archiveError.message).toMatch(/1 active or suspended license/);
      await expectDomainError(deleteProduct(db.ctx(), { id: product.id }), "FAILED_PRECONDITION");
      expect(await db.handle.db.product.count({ where: { id: product.id } })).toBe(1);

      await revokeLicense(db.ctx(), { id: license.id });
      await deleteProduct(db.ctx(), { id: product.id });
      expect(await db.handle.db.product.count({ where: { id: product.id } })).toBe(0);
      expect(await db.handle.db.feature.count({ where: { productId: product.id } })).toBe(0);
      expect(await db.handle.db.license.count({ where: { id: license.id } })).toBe(0);
      await expectDomainError(getProduct(db.ctx(), { id: product.id }), "NOT_FOUND");
    });
  });

  describe("features", () => {
    it("creates boolean and metered features with unique codes per product", async () => {
      const db = getDb();
      const { product } = await makeProduct(db);
      const other = await makeProduct(db);
      const metered = await createFeature(db.ctx(), {
        productId: product.id,
        code: "storage",
        name: "Storage",
        kind: "metered",
        unit: "GB",
      });
      expect(metered).toMatchObject({ kind: "metered", unit: "GB" });
      await expectDomainError(
        createFeature(db.ctx(), { productId: product.id, code: "storage", name: "Again" }),
        "CONFLICT",
      );
      // the same code in another product is fine
      await createFeature(db.ctx(), { productId: other.product.id, code: "storage", name: "Storage" });
      await expectDomainError(
        createFeature(db.ctx(), { productId: "missing", code: "x", name: "X" }),
        "NOT_FOUND",
      );

      const updated = await updateFeature(db.ctx(), { id: metered.id, unit: "TB" });
      expect(updated.unit).toBe("TB");
      const codes = (await listFeatures(db.ctx(), { productId: product.id })).map((f) => f.code);
      expect(codes).toEqual(["api-calls", "export-pdf", "storage"]);
    });

    it("refuses to delete a feature a license is entitled to", async () => {
      const db = getDb();
      const { features } = await makeWorld(db);
      await expectDomainError(deleteFeature(db.ctx(), { id: features.exportPdf.id }), "FAILED_PRECONDITION");
      const { product } = await makeProduct(db);
      const spare = await createFeature(db.ctx(), { productId: product.id, code: "spare", name: "Spare" });
      await deleteFeature(db.ctx(), { id: spare.id });
      expect(await db.handle.db.feature.count({ where: { id: spare.id } })).toBe(0);
    });
  });

  describe("groups", () => {
    it("creates groups with unique names and deletes only empty ones", async () => {
      const db = getDb();
      const name = unique("Resellers");
      const group = await createGroup(db.ctx(), { name });
      await expectDomainError(createGroup(db.ctx(), { name }), "CONFLICT");
      const customer = await makeCustomer(db, group.id);
      const listed = await listGroups(db.ctx(), { q: name });
      expect(listed.items).toEqual([
        expect.objectContaining({ id: group.id, customerCount: 1, adminCount: 0 }),
      ]);
      await expectDomainError(deleteGroup(db.ctx(), { id: group.id }), "FAILED_PRECONDITION");
      await db.handle.db.customer.delete({ where: { id: customer.id } });
      await deleteGroup(db.ctx(), { id: group.id });
      expect(await db.handle.db.group.count({ where: { id: group.id } })).toBe(0);
      await expectDomainError(deleteGroup(db.ctx(), { id: group.id }), "NOT_FOUND");
    });
  });
});
