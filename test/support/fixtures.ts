// Test data made through the domain's own operations, acting as the system.
import { randomBytes } from "node:crypto";
import { createCustomer } from "../../src/server/core/customers/create-customer.ts";
import { createFeature } from "../../src/server/core/features/create-feature.ts";
import { createGroup } from "../../src/server/core/groups/create-group.ts";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { type TCreateLicenseInput } from "../../src/server/core/licenses/schemas.ts";
import { createProduct } from "../../src/server/core/products/create-product.ts";
import type { TestDb } from "./db.ts";

export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

export async function makeGroup(db: TestDb) {
  return createGroup(db.ctx(), { name: unique("group") });
}

export async function makeProduct(db: TestDb) {
  const product = await createProduct(db.ctx(), { code: unique("prod"), name: "Product" });
  const exportPdf = await createFeature(db.ctx(), {
    productId: product.id,
    code: "export-pdf",
    name: "Export PDF",
  });
  const apiCalls = await createFeature(db.ctx(), {
    productId: product.id,
    code: "api-calls",
    name: "API calls",
    kind: "metered",
    unit: "calls",
  });
  return { product, features: { exportPdf, apiCalls } };
}

export async function makeCustomer(db: TestDb, groupId: string) {
  return createCustomer(db.ctx(), { name: unique("Customer"), email: "ops@example.com", groupId });
}

export async function makeLicense(
  db: TestDb,
  customerId: string,
  productId: string,
  extra: Partial<TCreateLicenseInput> = {},
) {
  return createLicense(db.ctx(), { customerId, productId, seatLimit: 3, ...extra });
}

/** Two groups, a product with a boolean and a metered feature, a customer with a license in group A. */
export async function makeWorld(db: TestDb) {
  const groupA = await makeGroup(db);
  const groupB = await makeGroup(db);
  const { product, features } = await makeProduct(db);
  const customer = await makeCustomer(db, groupA.id);
  const license = await makeLicense(db, customer.id, product.id, {
    entitlements: [{ featureId: features.exportPdf.id }, { featureId: features.apiCalls.id, quota: 1000 }],
  });
  return { groupA, groupB, product, features, customer, license };
}

export async function auditCount(db: TestDb): Promise<number> {
  return db.handle.db.auditEvent.count();
}
