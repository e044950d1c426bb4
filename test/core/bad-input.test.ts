// Bad input on every operation: INVALID_ARGUMENT naming the field, and nothing written.
import { beforeAll, expect, it } from "vitest";
import type { DomainContext } from "../../src/server/core/context.ts";
import { archiveCustomer } from "../../src/server/core/customers/archive-customer.ts";
import { createCustomer } from "../../src/server/core/customers/create-customer.ts";
import { deleteCustomer } from "../../src/server/core/customers/delete-customer.ts";
import { getCustomer } from "../../src/server/core/customers/get-customer.ts";
import { listCustomers } from "../../src/server/core/customers/list-customers.ts";
import { updateCustomer } from "../../src/server/core/customers/update-customer.ts";
import { createFeature } from "../../src/server/core/features/create-feature.ts";
import { deleteFeature } from "../../src/server/core/features/delete-feature.ts";
import { listFeatures } from "../../src/server/core/features/list-features.ts";
import { updateFeature } from "../../src/server/core/features/update-feature.ts";
import { createGroup } from "../../src/server/core/groups/create-group.ts";
import { deleteGroup } from "../../src/server/core/groups/delete-group.ts";
import { getGroup } from "../../src/server/core/groups/get-group.ts";
import { listGroups } from "../../src/server/core/groups/list-groups.ts";
import { updateGroup } from "../../src/server/core/groups/update-group.ts";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { getLicense } from "../../src/server/core/licenses/get-license.ts";
import { listLicenses } from "../../src/server/core/licenses/list-licenses.ts";
import { reinstateLicense } from "../../src/server/core/licenses/reinstate-license.ts";
import { renewLicense } from "../../src/server/core/licenses/renew-license.ts";
import { revokeLicense } from "../../src/server/core/licenses/revoke-license.ts";
import { setEntitlements } from "../../src/server/core/licenses/set-entitlements.ts";
import { suspendLicense } from "../../src/server/core/licenses/suspend-license.ts";
import { updateLicense } from "../../src/server/core/licenses/update-license.ts";
import { archiveProduct } from "../../src/server/core/products/archive-product.ts";
import { createProduct } from "../../src/server/core/products/create-product.ts";
import { deleteProduct } from "../../src/server/core/products/delete-product.ts";
import { getProduct } from "../../src/server/core/products/get-product.ts";
import { listProducts } from "../../src/server/core/products/list-products.ts";
import { updateProduct } from "../../src/server/core/products/update-product.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { makeWorld } from "../support/fixtures.ts";

type World = Awaited<ReturnType<typeof makeWorld>>;

/** [operation, bad input, the field the error must name] — inputs are deliberately ill-typed. */
type Case = [string, (ctx: DomainContext, w: World) => Promise<unknown>, string];
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a cast helper by design
const bad = <T>(value: unknown) => value as T;

const cases: Case[] = [
  ["createProduct: code with spaces", (ctx) => createProduct(ctx, { code: "My Product", name: "P" }), "code"],
  ["createProduct: missing name", (ctx) => createProduct(ctx, bad({ code: "p1" })), "name"],
  ["updateProduct: empty name", (ctx, w) => updateProduct(ctx, { id: w.product.id, name: "  " }), "name"],
  ["updateProduct: missing id", (ctx) => updateProduct(ctx, bad({ name: "x" })), "id"],
  [
    "archiveProduct: archived not boolean",
    (ctx, w) => archiveProduct(ctx, bad({ id: w.product.id, archived: "yes" })),
    "archived",
  ],
  ["deleteProduct: id not a string", (ctx) => deleteProduct(ctx, bad({ id: 42 })), "id"],
  ["getProduct: empty id", (ctx) => getProduct(ctx, { id: "" }), "id"],
  ["listProducts: pageSize over the cap", (ctx) => listProducts(ctx, { pageSize: 10_000 }), "pageSize"],
  ["listProducts: unknown sort", (ctx) => listProducts(ctx, bad({ sort: "password" })), "sort"],
  [
    "createFeature: metered without unit",
    (ctx, w) => createFeature(ctx, { productId: w.product.id, code: "seats-x", name: "S", kind: "metered" }),
    "unit",
  ],
  [
    "createFeature: unknown kind",
    (ctx, w) => createFeature(ctx, bad({ productId: w.product.id, code: "k", name: "K", kind: "floating" })),
    "kind",
  ],
  [
    "updateFeature: unit on a boolean feature",
    (ctx, w) => updateFeature(ctx, { id: w.features.exportPdf.id, unit: "x" }),
    "unit",
  ],
  ["deleteFeature: missing id", (ctx) => deleteFeature(ctx, bad({})), "id"],
  ["listFeatures: missing productId", (ctx) => listFeatures(ctx, bad({})), "productId"],
  ["createGroup: name too long", (ctx) => createGroup(ctx, { name: "g".repeat(201) }), "name"],
  [
    "updateGroup: description not a string",
    (ctx, w) => updateGroup(ctx, bad({ id: w.groupA.id, description: 5 })),
    "description",
  ],
  ["deleteGroup: missing id", (ctx) => deleteGroup(ctx, bad({})), "id"],
  ["getGroup: missing id", (ctx) => getGroup(ctx, bad({})), "id"],
  ["listGroups: page 0", (ctx) => listGroups(ctx, { page: 0 }), "page"],
  [
    "createCustomer: bad email",
    (ctx, w) => createCustomer(ctx, { name: "C", email: "not-an-email", groupId: w.groupA.id }),
    "email",
  ],
  ["createCustomer: missing group", (ctx) => createCustomer(ctx, bad({ name: "C" })), "groupId"],
  [
    "createCustomer: metadata not an object",
    (ctx, w) => createCustomer(ctx, bad({ name: "C", groupId: w.groupA.id, metadata: [1, 2] })),
    "metadata",
  ],
  ["updateCustomer: empty name", (ctx, w) => updateCustomer(ctx, { id: w.customer.id, name: "" }), "name"],
  ["getCustomer: id too long", (ctx) => getCustomer(ctx, { id: "x".repeat(65) }), "id"],
  ["listCustomers: bad direction", (ctx) => listCustomers(ctx, bad({ direction: "sideways" })), "direction"],
  ["archiveCustomer: missing id", (ctx) => archiveCustomer(ctx, bad({ archived: true })), "id"],
  ["deleteCustomer: missing id", (ctx) => deleteCustomer(ctx, bad({})), "id"],
  [
    "createLicense: zero seats",
    (ctx, w) => createLicense(ctx, { customerId: w.customer.id, productId: w.product.id, seatLimit: 0 }),
    "seatLimit",
  ],
  [
    "createLicense: offline allowance over 365 days",
    (ctx, w) =>
      createLicense(ctx, { customerId: w.customer.id, productId: w.product.id, offlineAllowanceDays: 400 }),
    "offlineAllowanceDays",
  ],
  [
    "createLicense: unknown type",
    (ctx, w) => createLicense(ctx, bad({ customerId: w.customer.id, productId: w.product.id, type: "site" })),
    "type",
  ],
  [
    "createLicense: expiry not a date",
    (ctx, w) =>
      createLicense(ctx, bad({ customerId: w.customer.id, productId: w.product.id, expiresAt: "next year" })),
    "expiresAt",
  ],
  [
    "createLicense: heartbeat every second",
    (ctx, w) =>
      createLicense(ctx, { customerId: w.customer.id, productId: w.product.id, heartbeatIntervalSeconds: 1 }),
    "heartbeatIntervalSeconds",
  ],
  [
    "createLicense: negative quota",
    (ctx, w) =>
      createLicense(ctx, {
        customerId: w.customer.id,
        productId: w.product.id,
        entitlements: [{ featureId: w.features.apiCalls.id, quota: -1 }],
      }),
    "entitlements.0.quota",
  ],
  [
    "updateLicense: fractional seats",
    (ctx, w) => updateLicense(ctx, { id: w.license.id, seatLimit: 1.5 }),
    "seatLimit",
  ],
  [
    "setEntitlements: not a list",
    (ctx, w) => setEntitlements(ctx, bad({ id: w.license.id, entitlements: "all" })),
    "entitlements",
  ],
  [
    "setEntitlements: unknown quota period",
    (ctx, w) =>
      setEntitlements(
        ctx,
        bad({ id: w.license.id, entitlements: [{ featureId: w.features.apiCalls.id, quotaPeriod: "week" }] }),
      ),
    "entitlements.0.quotaPeriod",
  ],
  ["getLicense: neither id nor key", (ctx) => getLicense(ctx, bad({})), "id"],
  ["listLicenses: unknown status", (ctx) => listLicenses(ctx, bad({ status: "paused" })), "status"],
  [
    "listLicenses: negative window",
    (ctx) => listLicenses(ctx, { expiringWithinDays: -3 }),
    "expiringWithinDays",
  ],
  [
    "suspendLicense: reason too long",
    (ctx, w) => suspendLicense(ctx, { id: w.license.id, reason: "r".repeat(501) }),
    "reason",
  ],
  ["reinstateLicense: missing id", (ctx) => reinstateLicense(ctx, bad({})), "id"],
  ["revokeLicense: id not a string", (ctx) => revokeLicense(ctx, bad({ id: ["x"] })), "id"],
  [
    "renewLicense: zero days",
    (ctx, w) => renewLicense(ctx, { id: w.license.id, extendDays: 0 }),
    "extendDays",
  ],
  [
    "renewLicense: expiry in the past",
    (ctx, w) => renewLicense(ctx, { id: w.license.id, expiresAt: new Date("2020-01-01") }),
    "expiresAt",
  ],
];

/** Row counts of every table a mutation could touch. */
async function snapshot(db: TestDb): Promise<Record<string, number>> {
  const d = db.handle.db;
  const [groups, products, features, customers, licenses, entitlements, sessions, audit] = await Promise.all([
    d.group.count(),
    d.product.count(),
    d.feature.count(),
    d.customer.count(),
    d.license.count(),
    d.entitlement.count(),
    d.session.count(),
    d.auditEvent.count(),
  ]);
  return { groups, products, features, customers, licenses, entitlements, sessions, audit };
}

describeEachDb("bad input", (getDb) => {
  let world: World;
  beforeAll(async () => {
    world = await makeWorld(getDb());
  });

  for (const [name, run, field] of cases) {
    it(`${name} → INVALID_ARGUMENT on ${field}, nothing written`, async () => {
      const db = getDb();
      const before = await snapshot(db);
      const error = await expectDomainError(run(db.ctx(), world), "INVALID_ARGUMENT");
      expect(error.fields.map((f) => f.path)).toContain(field);
      expect(error.message).toContain(field);
      expect(await snapshot(db)).toEqual(before);
      const license = await db.handle.db.license.findUniqueOrThrow({
        where: { id: world.license.id },
        select: { status: true, seatLimit: true, expiresAt: true },
      });
      expect(license).toEqual({ status: "active", seatLimit: 3, expiresAt: null });
    });
  }
});
