// The permission matrix: every domain operation, for every role, inside and outside the group of
// the record it touches. Refused writes must leave no trace (no audit event, no change).
import { beforeAll, describe, expect, it } from "vitest";
import { roleAtLeast } from "../../src/server/core/access/policy.ts";
import { ROLES, type DomainContext, type Role } from "../../src/server/core/context.ts";
import { DomainError } from "../../src/server/core/errors.ts";
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
import { listEvents } from "../../src/server/core/events/list-events.ts";
import { createWebhookEndpoint } from "../../src/server/core/webhooks/create-endpoint.ts";
import { deleteWebhookEndpoint } from "../../src/server/core/webhooks/delete-endpoint.ts";
import { getWebhookEndpoint } from "../../src/server/core/webhooks/get-endpoint.ts";
import { listWebhookAttempts } from "../../src/server/core/webhooks/list-attempts.ts";
import { listWebhookDeliveries } from "../../src/server/core/webhooks/list-deliveries.ts";
import { listWebhookEndpoints } from "../../src/server/core/webhooks/list-endpoints.ts";
import { redeliverFailedWebhooks } from "../../src/server/core/webhooks/redeliver-failed.ts";
import { redeliverWebhook } from "../../src/server/core/webhooks/redeliver.ts";
import { rotateWebhookSecret } from "../../src/server/core/webhooks/rotate-secret.ts";
import { sendWebhookTestEvent } from "../../src/server/core/webhooks/send-test-event.ts";
import { updateWebhookEndpoint } from "../../src/server/core/webhooks/update-endpoint.ts";
import { actor, describeEachDb, type TestDb } from "../support/db.ts";
import {
  auditCount,
  makeCustomer,
  makeGroup,
  makeLicense,
  makeProduct,
  makeWorld,
  unique,
} from "../support/fixtures.ts";

type World = Awaited<ReturnType<typeof makeWorld>>;

/**
 * global: only the role matters. target: the record is in group A; outsiders get NOT_FOUND.
 * named: the caller names group A in the input; outsiders get FORBIDDEN.
 */
type Scope = "global" | "target" | "named";

interface Operation {
  name: string;
  min: Role;
  scope: Scope;
  write: boolean;
  /** runs the operation as ctx; fresh records it needs are made first by `setup` */
  run(ctx: DomainContext, world: World, target: string): Promise<unknown>;
  setup?(db: TestDb, world: World): Promise<string>;
}

/** List operations: the record in group A is listed for members (and super_admin) only. */
interface Listing {
  name: string;
  visible(ctx: DomainContext, world: World): Promise<boolean>;
}

const future = new Date("2031-01-01T00:00:00Z");
const freshLicense = async (db: TestDb, world: World) =>
  (await makeLicense(db, world.customer.id, world.product.id)).id;

/** A webhook endpoint of group A: a fresh one, or one shared by the operations per database. */
const HOOK_URL = "https://93.184.215.14/permissions";
const freshEndpoint = async (db: TestDb, world: World) =>
  (await createWebhookEndpoint(db.ctx(), { url: HOOK_URL, events: ["*"], groupIds: [world.groupA.id] }))
    .endpoint.id;
const sharedEndpoints = new WeakMap<TestDb, Promise<string>>();
const sharedEndpoint = (db: TestDb, world: World): Promise<string> => {
  let id = sharedEndpoints.get(db);
  if (!id) {
    id = freshEndpoint(db, world);
    sharedEndpoints.set(db, id);
  }
  return id;
};
const freshDelivery = async (db: TestDb, world: World) =>
  (await sendWebhookTestEvent(db.ctx(), { endpointId: await sharedEndpoint(db, world) })).deliveryId;

const operations: Operation[] = [
  // catalog: global, super_admin writes
  {
    name: "createProduct",
    min: "super_admin",
    scope: "global",
    write: true,
    run: (ctx) => createProduct(ctx, { code: unique("p"), name: "P" }),
  },
  {
    name: "updateProduct",
    min: "super_admin",
    scope: "global",
    write: true,
    run: (ctx, w) => updateProduct(ctx, { id: w.product.id, name: unique("P") }),
  },
  {
    name: "archiveProduct",
    min: "super_admin",
    scope: "global",
    write: true,
    setup: async (db) => (await makeProduct(db)).product.id,
    run: (ctx, _w, id) => archiveProduct(ctx, { id }),
  },
  {
    name: "deleteProduct",
    min: "super_admin",
    scope: "global",
    write: true,
    setup: async (db) => (await makeProduct(db)).product.id,
    run: (ctx, _w, id) => deleteProduct(ctx, { id }),
  },
  {
    name: "getProduct",
    min: "viewer",
    scope: "global",
    write: false,
    run: (ctx, w) => getProduct(ctx, { id: w.product.id }),
  },
  { name: "listProducts", min: "viewer", scope: "global", write: false, run: (ctx) => listProducts(ctx, {}) },
  {
    name: "createFeature",
    min: "super_admin",
    scope: "global",
    write: true,
    run: (ctx, w) => createFeature(ctx, { productId: w.product.id, code: unique("f"), name: "F" }),
  },
  {
    name: "updateFeature",
    min: "super_admin",
    scope: "global",
    write: true,
    run: (ctx, w) => updateFeature(ctx, { id: w.features.exportPdf.id, name: unique("F") }),
  },
  {
    name: "deleteFeature",
    min: "super_admin",
    scope: "global",
    write: true,
    setup: async (db, w) =>
      (await createFeature(db.ctx(), { productId: w.product.id, code: unique("f"), name: "F" })).id,
    run: (ctx, _w, id) => deleteFeature(ctx, { id }),
  },
  {
    name: "listFeatures",
    min: "viewer",
    scope: "global",
    write: false,
    run: (ctx, w) => listFeatures(ctx, { productId: w.product.id }),
  },
  // groups
  {
    name: "createGroup",
    min: "super_admin",
    scope: "global",
    write: true,
    run: (ctx) => createGroup(ctx, { name: unique("g") }),
  },
  {
    name: "updateGroup",
    min: "super_admin",
    scope: "global",
    write: true,
    run: (ctx, w) => updateGroup(ctx, { id: w.groupA.id, description: unique("d") }),
  },
  {
    name: "deleteGroup",
    min: "super_admin",
    scope: "global",
    write: true,
    setup: async (db) => (await makeGroup(db)).id,
    run: (ctx, _w, id) => deleteGroup(ctx, { id }),
  },
  {
    name: "getGroup",
    min: "viewer",
    scope: "target",
    write: false,
    run: (ctx, w) => getGroup(ctx, { id: w.groupA.id }),
  },
  // customers
  {
    name: "createCustomer",
    min: "editor",
    scope: "named",
    write: true,
    run: (ctx, w) => createCustomer(ctx, { name: unique("C"), groupId: w.groupA.id }),
  },
  {
    name: "updateCustomer",
    min: "editor",
    scope: "target",
    write: true,
    run: (ctx, w) => updateCustomer(ctx, { id: w.customer.id, notes: unique("n") }),
  },
  {
    name: "getCustomer",
    min: "viewer",
    scope: "target",
    write: false,
    run: (ctx, w) => getCustomer(ctx, { id: w.customer.id }),
  },
  {
    name: "archiveCustomer",
    min: "admin",
    scope: "target",
    write: true,
    setup: async (db, w) => (await makeCustomer(db, w.groupA.id)).id,
    run: (ctx, _w, id) => archiveCustomer(ctx, { id }),
  },
  {
    name: "deleteCustomer",
    min: "admin",
    scope: "target",
    write: true,
    setup: async (db, w) => (await makeCustomer(db, w.groupA.id)).id,
    run: (ctx, _w, id) => deleteCustomer(ctx, { id }),
  },
  // licenses
  {
    name: "createLicense",
    min: "editor",
    scope: "target",
    write: true,
    run: (ctx, w) => createLicense(ctx, { customerId: w.customer.id, productId: w.product.id }),
  },
  {
    name: "getLicense",
    min: "viewer",
    scope: "target",
    write: false,
    run: (ctx, w) => getLicense(ctx, { id: w.license.id }),
  },
  {
    name: "getLicenseByKey",
    min: "viewer",
    scope: "target",
    write: false,
    run: (ctx, w) => getLicense(ctx, { key: w.license.key }),
  },
  {
    name: "updateLicense",
    min: "editor",
    scope: "target",
    write: true,
    setup: freshLicense,
    run: (ctx, _w, id) => updateLicense(ctx, { id, seatLimit: 7 }),
  },
  {
    name: "setEntitlements",
    min: "editor",
    scope: "target",
    write: true,
    setup: freshLicense,
    run: (ctx, w, id) => setEntitlements(ctx, { id, entitlements: [{ featureId: w.features.exportPdf.id }] }),
  },
  {
    name: "renewLicense",
    min: "editor",
    scope: "target",
    write: true,
    setup: freshLicense,
    run: (ctx, _w, id) => renewLicense(ctx, { id, expiresAt: future }),
  },
  {
    name: "suspendLicense",
    min: "admin",
    scope: "target",
    write: true,
    setup: freshLicense,
    run: (ctx, _w, id) => suspendLicense(ctx, { id }),
  },
  {
    name: "reinstateLicense",
    min: "admin",
    scope: "target",
    write: true,
    setup: async (db, w) => {
      const id = await freshLicense(db, w);
      await suspendLicense(db.ctx(), { id });
      return id;
    },
    run: (ctx, _w, id) => reinstateLicense(ctx, { id }),
  },
  {
    name: "revokeLicense",
    min: "admin",
    scope: "target",
    write: true,
    setup: freshLicense,
    run: (ctx, _w, id) => revokeLicense(ctx, { id }),
  },
  // webhooks and the feed: admin role; endpoints of other groups are NOT_FOUND
  {
    name: "createWebhookEndpoint",
    min: "admin",
    scope: "named",
    write: true,
    run: (ctx, w) => createWebhookEndpoint(ctx, { url: HOOK_URL, events: ["*"], groupIds: [w.groupA.id] }),
  },
  {
    name: "listWebhookEndpoints",
    min: "admin",
    scope: "global",
    write: false,
    run: (ctx) => listWebhookEndpoints(ctx, {}),
  },
  {
    name: "getWebhookEndpoint",
    min: "admin",
    scope: "target",
    write: false,
    setup: sharedEndpoint,
    run: (ctx, _w, endpointId) => getWebhookEndpoint(ctx, { endpointId }),
  },
  {
    name: "updateWebhookEndpoint",
    min: "admin",
    scope: "target",
    write: true,
    setup: sharedEndpoint,
    run: (ctx, _w, endpointId) => updateWebhookEndpoint(ctx, { endpointId, description: unique("d") }),
  },
  {
    name: "rotateWebhookSecret",
    min: "admin",
    scope: "target",
    write: true,
    setup: sharedEndpoint,
    run: (ctx, _w, endpointId) => rotateWebhookSecret(ctx, { endpointId, graceHours: 1 }),
  },
  {
    name: "sendWebhookTestEvent",
    min: "admin",
    scope: "target",
    write: true,
    setup: sharedEndpoint,
    run: (ctx, _w, endpointId) => sendWebhookTestEvent(ctx, { endpointId }),
  },
  {
    name: "listWebhookDeliveries",
    min: "admin",
    scope: "target",
    write: false,
    setup: sharedEndpoint,
    run: (ctx, _w, endpointId) => listWebhookDeliveries(ctx, { endpointId }),
  },
  {
    name: "redeliverFailedWebhooks",
    min: "admin",
    scope: "target",
    write: true,
    setup: sharedEndpoint,
    run: (ctx, _w, endpointId) => redeliverFailedWebhooks(ctx, { endpointId }),
  },
  {
    name: "listWebhookAttempts",
    min: "admin",
    scope: "target",
    write: false,
    setup: freshDelivery,
    run: (ctx, _w, deliveryId) => listWebhookAttempts(ctx, { deliveryId }),
  },
  {
    name: "redeliverWebhook",
    min: "admin",
    scope: "target",
    write: true,
    setup: freshDelivery,
    run: (ctx, _w, deliveryId) => redeliverWebhook(ctx, { deliveryId }),
  },
  {
    name: "deleteWebhookEndpoint",
    min: "admin",
    scope: "target",
    write: true,
    setup: freshEndpoint,
    run: (ctx, _w, endpointId) => deleteWebhookEndpoint(ctx, { endpointId }),
  },
  { name: "listEvents", min: "admin", scope: "global", write: false, run: (ctx) => listEvents(ctx, {}) },
];

const listings: Listing[] = [
  {
    name: "listGroups",
    visible: async (ctx, w) =>
      (await listGroups(ctx, { pageSize: 200 })).items.some((g) => g.id === w.groupA.id),
  },
  {
    name: "listCustomers",
    visible: async (ctx, w) =>
      (await listCustomers(ctx, { q: w.customer.name })).items.some((c) => c.id === w.customer.id),
  },
  {
    name: "listCustomers(groupId)",
    visible: async (ctx, w) =>
      (await listCustomers(ctx, { groupId: w.groupA.id })).items.some((c) => c.id === w.customer.id),
  },
  {
    name: "listLicenses",
    visible: async (ctx, w) =>
      (await listLicenses(ctx, { customerId: w.customer.id, q: w.license.key })).items.some(
        (l) => l.id === w.license.id,
      ),
  },
];

function expected(op: Operation, role: Role, member: boolean): "ok" | "FORBIDDEN" | "NOT_FOUND" {
  if (!roleAtLeast(role, op.min)) return "FORBIDDEN";
  if (op.scope === "global" || role === "super_admin" || member) return "ok";
  return op.scope === "target" ? "NOT_FOUND" : "FORBIDDEN";
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describeEachDb("permission matrix", (getDb) => {
  let world: World;
  beforeAll(async () => {
    world = await makeWorld(getDb());
  });

  for (const op of operations) {
    describe(op.name, () => {
      for (const role of ROLES) {
        for (const member of [true, false]) {
          const want = expected(op, role, member);
          it(`${role} ${member ? "in" : "outside"} the group → ${want}`, async () => {
            const db = getDb();
            const target = op.setup ? await op.setup(db, world) : "";
            const who = actor(role, [member ? world.groupA.id : world.groupB.id]);
            const auditsBefore = await auditCount(db);
            expect(await outcome(op.run(db.ctx(who), world, target))).toBe(want);
            const written = (await auditCount(db)) - auditsBefore;
            expect(written).toBe(op.write && want === "ok" ? 1 : 0);
            if (written === 1) {
              const event = await db.handle.db.auditEvent.findFirstOrThrow({
                orderBy: { seq: "desc" },
                select: { actorType: true, actorId: true, actorLabel: true },
              });
              expect(event).toEqual({ actorType: "admin", actorId: who.id, actorLabel: who.label });
            }
          });
        }
      }
    });
  }

  for (const listing of listings) {
    describe(listing.name, () => {
      for (const role of ROLES) {
        for (const member of [true, false]) {
          const want = member || role === "super_admin";
          it(`${role} ${member ? "in" : "outside"} the group ${want ? "sees" : "does not see"} the record`, async () => {
            const who = actor(role, [member ? world.groupA.id : world.groupB.id]);
            expect(await listing.visible(getDb().ctx(who), world)).toBe(want);
          });
        }
      }
    });
  }

  it("moving a customer needs membership of the destination group too", async () => {
    const db = getDb();
    const customer = await makeCustomer(db, world.groupA.id);
    const editor = actor("editor", [world.groupA.id]);
    expect(await outcome(updateCustomer(db.ctx(editor), { id: customer.id, groupId: world.groupB.id }))).toBe(
      "FORBIDDEN",
    );
    const both = actor("editor", [world.groupA.id, world.groupB.id]);
    const moved = await updateCustomer(db.ctx(both), { id: customer.id, groupId: world.groupB.id });
    expect(moved.groupId).toBe(world.groupB.id);
  });
});
