// Walks the OpenAPI document: every REST operation is called once with a valid and once with an
// invalid request, and — as the procedure-level permission matrix — with the valid request for
// every role, inside and outside the group of the record it touches. An operation added to the
// API without an entry here fails the walk.
import { beforeAll, describe, expect, it } from "vitest";
import { issueAccessToken } from "../../src/server/auth/jwt.ts";
import { hashPassword } from "../../src/server/crypto/password.ts";
import { totpCode } from "../../src/server/core/two-factor/totp.ts";
import { roleAtLeast } from "../../src/server/core/access/policy.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import { ROLES, type Actor, type Role } from "../../src/server/core/context.ts";
import { createFeature } from "../../src/server/core/features/create-feature.ts";
import { suspendLicense } from "../../src/server/core/licenses/suspend-license.ts";
import { publishRelease } from "../../src/server/core/releases/publish-release.ts";
import { createPolicy } from "../../src/server/core/policies/create-policy.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { rotateSigningKey } from "../../src/server/core/signing-keys/rotate-signing-key.ts";
import { confirmTotp } from "../../src/server/core/two-factor/confirm-totp.ts";
import { enrollTotp } from "../../src/server/core/two-factor/enroll-totp.ts";
import { createWebSession } from "../../src/server/core/web-sessions/store.ts";
import { createWebhookEndpoint } from "../../src/server/core/webhooks/create-endpoint.ts";
import { sendWebhookTestEvent } from "../../src/server/core/webhooks/send-test-event.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { handleCsvExport } from "../../src/server/trpc/csv-export.ts";
import { handleRestRequest } from "../../src/server/trpc/handlers.ts";
import { exportAuditEvents } from "../../src/server/core/audit/export-audit-events.ts";
import { exportCustomers } from "../../src/server/core/customers/export-customers.ts";
import { exportLicenses } from "../../src/server/core/licenses/export-licenses.ts";
import { exportSessions } from "../../src/server/core/sessions/export-sessions.ts";
import { openApiDocument } from "../../src/server/trpc/openapi.ts";
import { testServices } from "../support/admin-services.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeCustomer, makeGroup, makeLicense, makeProduct, makeWorld, unique } from "../support/fixtures.ts";

const JWT_SECRET = "w".repeat(40);
const PASSWORD = "walk-the-api-password";
type World = Awaited<ReturnType<typeof makeWorld>>;

interface Caller {
  role: Role;
  groupIds: string[];
  adminId: string;
  token: string;
}

interface Call {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** another caller's token (operations on one's own account use a fresh account) */
  token?: string | null;
}

/** global: the role decides. target: the record is in group A. named: the input names group A. self: one's own account. */
type Scope = "global" | "target" | "named" | "self" | "public";

interface Entry {
  min: Role;
  scope: Scope;
  valid(f: Fixtures, caller: Caller): Promise<Call>;
  invalid(f: Fixtures, caller: Caller): Promise<Call>;
  /** status of the invalid request (default 400) */
  invalidStatus?: number;
}

interface Fixtures {
  db: TestDb;
  world: World;
  /** a fresh account with the caller's role and groups, and its token */
  freshSelf(caller: Caller): Promise<{ adminId: string; token: string; actor: Actor }>;
}

const none = () => Promise.resolve<Call>({});

/** A fresh account of the caller's kind with TOTP on (confirmed half a minute ago). */
async function freshSelfWithTotp(f: Fixtures, caller: Caller) {
  const self = await f.freshSelf(caller);
  const { secret } = await enrollTotp(f.db.ctx(self.actor));
  const earlier = new Date(f.db.clock.now().getTime() - 30_000);
  await confirmTotp(
    { ...f.db.ctx(self.actor), clock: { now: () => earlier } },
    { code: await totpCode(secret, earlier) },
  );
  return { self, secret };
}
const future = "2031-01-01T00:00:00.000Z";
const freshLicense = async (f: Fixtures) =>
  (await makeLicense(f.db, f.world.customer.id, f.world.product.id)).id;

/** An open session on a fresh license of group A (written directly: the client API is tested elsewhere). */
async function freshSession(f: Fixtures): Promise<string> {
  const now = f.db.clock.now();
  const session = await f.db.handle.db.session.create({
    data: {
      licenseId: await freshLicense(f),
      fingerprint: unique("fp"),
      startedAt: now,
      lastHeartbeatAt: now,
      deadlineAt: new Date(now.getTime() + 300_000),
    },
    select: { id: true },
  });
  return session.id;
}

/** A fresh trial of the world's product: its trial license is group A's (written directly). */
async function freshTrial(f: Fixtures): Promise<string> {
  const d = f.db.handle.db;
  const now = f.db.clock.now();
  const licenseId = await freshLicense(f);
  await d.license.update({ where: { id: licenseId }, data: { trial: true } });
  const policy = await d.policy.create({
    data: {
      productId: f.world.product.id,
      name: unique("walk-trial"),
      kind: "trial",
      type: "node_locked",
      seatLimit: 1,
      durationDays: 14,
      heartbeatIntervalSeconds: 300,
      gracePeriodHours: 24,
      offlineAllowanceDays: 0,
      trialCustomerId: f.world.customer.id,
      archivedAt: now,
    },
    select: { id: true },
  });
  const trial = await d.trial.create({
    data: {
      productId: f.world.product.id,
      policyId: policy.id,
      licenseId,
      fingerprint: unique("fp"),
      startedAt: now,
      expiresAt: new Date(now.getTime() + 14 * 86_400_000),
    },
    select: { id: true },
  });
  return trial.id;
}

/** A fresh standard policy of the world's product. */
const freshPolicy = async (f: Fixtures) =>
  (
    await createPolicy(f.db.ctx(), {
      productId: f.world.product.id,
      name: unique("walk-policy"),
      seatLimit: 5,
      entitlements: [{ featureId: f.world.features.exportPdf.id }],
    })
  ).id;

/** A version no release of the walk has: 1.0.0, 1.0.1, … */
let releaseCounter = 0;
const freshVersion = () => `1.0.${releaseCounter++}`;

/** A machine bound to a fresh node-locked license of group A. */
async function freshMachine(f: Fixtures): Promise<string> {
  const now = f.db.clock.now();
  const license = await makeLicense(f.db, f.world.customer.id, f.world.product.id, { type: "node_locked" });
  const machine = await f.db.handle.db.machineBinding.create({
    data: { licenseId: license.id, fingerprint: unique("fp"), boundAt: now, lastSeenAt: now },
    select: { id: true },
  });
  return machine.id;
}

/** A webhook endpoint of group A (public IP literal: no DNS); the walk shares one per database. */
const WALK_HOOK_URL = "https://93.184.215.14/walk-hook";
const freshEndpoint = async (f: Fixtures) =>
  (
    await createWebhookEndpoint(f.db.ctx(), {
      url: WALK_HOOK_URL,
      events: ["license.created"],
      groupIds: [f.world.groupA.id],
    })
  ).endpoint.id;
const sharedEndpoints = new WeakMap<TestDb, Promise<string>>();
const walkEndpoint = (f: Fixtures): Promise<string> => {
  let id = sharedEndpoints.get(f.db);
  if (!id) {
    id = freshEndpoint(f);
    sharedEndpoints.set(f.db, id);
  }
  return id;
};
/** A delivery (a test event) to the shared endpoint. */
const walkDelivery = async (f: Fixtures) =>
  (await sendWebhookTestEvent(f.db.ctx(), { endpointId: await walkEndpoint(f) })).deliveryId;

const entries: Record<string, Entry> = {
  "auth-login": {
    min: "viewer",
    scope: "public",
    valid: async (f, caller) => {
      const self = await f.freshSelf(caller);
      const admin = await f.db.handle.db.admin.findUniqueOrThrow({
        where: { id: self.adminId },
        select: { email: true },
      });
      return { body: { email: admin.email, password: PASSWORD }, token: null };
    },
    invalid: () => Promise.resolve({ body: { email: "", password: 5 }, token: null }),
  },
  "profile-get": {
    min: "viewer",
    scope: "self",
    valid: none,
    invalid: () => Promise.resolve({ token: "not-a-token" }),
    invalidStatus: 401,
  },
  "profile-changePassword": {
    min: "viewer",
    scope: "self",
    valid: async (f, c) => ({
      token: (await f.freshSelf(c)).token,
      body: { currentPassword: PASSWORD, newPassword: "another-walk-password" },
    }),
    invalid: () => Promise.resolve({ body: { currentPassword: PASSWORD, newPassword: "short" } }),
  },
  "profile-enrollTotp": {
    min: "viewer",
    scope: "self",
    valid: async (f, c) => ({ token: (await f.freshSelf(c)).token, body: {} }),
    invalid: () => Promise.resolve({ token: "lsk_" + "1".repeat(40), body: {} }),
    invalidStatus: 401,
  },
  "profile-confirmTotp": {
    min: "viewer",
    scope: "self",
    valid: async (f, c) => {
      const self = await f.freshSelf(c);
      const { secret } = await enrollTotp(f.db.ctx(self.actor));
      return { token: self.token, body: { code: await totpCode(secret, f.db.clock.now()) } };
    },
    invalid: () => Promise.resolve({ body: { code: "12ab56" } }),
  },
  "profile-regenerateRecoveryCodes": {
    min: "viewer",
    scope: "self",
    valid: async (f, c) => {
      const { self, secret } = await freshSelfWithTotp(f, c);
      return { token: self.token, body: { code: await totpCode(secret, f.db.clock.now()) } };
    },
    invalid: () => Promise.resolve({ body: { code: "" } }),
  },
  "profile-disableTotp": {
    min: "viewer",
    scope: "self",
    valid: async (f, c) => {
      const { self, secret } = await freshSelfWithTotp(f, c);
      return {
        token: self.token,
        body: { password: PASSWORD, code: await totpCode(secret, f.db.clock.now()) },
      };
    },
    invalid: () => Promise.resolve({ body: { password: PASSWORD } }),
  },
  "profile-webSessions": {
    min: "viewer",
    scope: "self",
    valid: none,
    invalid: () => Promise.resolve({ token: "not-a-token" }),
    invalidStatus: 401,
  },
  "profile-endWebSession": {
    min: "viewer",
    scope: "self",
    valid: async (f, c) => {
      const self = await f.freshSelf(c);
      const session = await createWebSession(f.db.handle.db, {
        adminId: self.adminId,
        now: f.db.clock.now(),
      });
      return { token: self.token, params: { id: session.id }, body: {} };
    },
    invalid: () => Promise.resolve({ params: { id: "x".repeat(65) }, body: {} }),
  },
  "profile-signOutEverywhere": {
    min: "viewer",
    scope: "self",
    valid: async (f, c) => ({ token: (await f.freshSelf(c)).token, body: {} }),
    invalid: () => Promise.resolve({ token: "x.y.z", body: {} }),
    invalidStatus: 401,
  },
  "settings-get": {
    min: "viewer",
    scope: "self",
    valid: none,
    invalid: () => Promise.resolve({ token: "x.y.z" }),
    invalidStatus: 401,
  },
  "settings-update": {
    min: "super_admin",
    scope: "global",
    valid: () => Promise.resolve({ body: { requireTwoFactor: false } }),
    invalid: () => Promise.resolve({ body: { requireTwoFactor: "sometimes" } }),
  },
  "products-list": {
    min: "viewer",
    scope: "global",
    valid: () =>
      Promise.resolve({ query: { q: "prod", includeArchived: "true", page: "1", pageSize: "10" } }),
    invalid: () => Promise.resolve({ query: { includeArchived: "maybe" } }),
  },
  "products-create": {
    min: "super_admin",
    scope: "global",
    valid: () => Promise.resolve({ body: { code: unique("walk"), name: "Walk" } }),
    invalid: () => Promise.resolve({ body: { code: "Not A Code", name: "Walk" } }),
  },
  "products-get": {
    min: "viewer",
    scope: "global",
    valid: (f) => Promise.resolve({ params: { id: f.world.product.id } }),
    invalid: () => Promise.resolve({ params: { id: "x".repeat(70) } }),
  },
  "products-update": {
    min: "super_admin",
    scope: "global",
    valid: (f) => Promise.resolve({ params: { id: f.world.product.id }, body: { description: unique("d") } }),
    invalid: (f) => Promise.resolve({ params: { id: f.world.product.id }, body: { name: "" } }),
  },
  "products-delete": {
    min: "super_admin",
    scope: "global",
    valid: async (f) => ({ params: { id: (await makeProduct(f.db)).product.id } }),
    invalid: () => Promise.resolve({ params: { id: "no-such-product" } }),
    invalidStatus: 404,
  },
  "products-archive": {
    min: "super_admin",
    scope: "global",
    valid: async (f) => ({ params: { id: (await makeProduct(f.db)).product.id }, body: { archived: true } }),
    invalid: (f) => Promise.resolve({ params: { id: f.world.product.id }, body: { archived: "yes" } }),
  },
  "features-list": {
    min: "viewer",
    scope: "global",
    valid: (f) => Promise.resolve({ params: { productId: f.world.product.id } }),
    invalid: () => Promise.resolve({ params: { productId: "no-such-product" } }),
    invalidStatus: 404,
  },
  "features-create": {
    min: "super_admin",
    scope: "global",
    valid: (f) =>
      Promise.resolve({
        params: { productId: f.world.product.id },
        body: { code: unique("f"), name: "F", kind: "metered", unit: "GB" },
      }),
    invalid: (f) =>
      Promise.resolve({
        params: { productId: f.world.product.id },
        body: { code: "f1", name: "F", kind: "metered" },
      }),
  },
  "features-update": {
    min: "super_admin",
    scope: "global",
    valid: (f) =>
      Promise.resolve({ params: { id: f.world.features.apiCalls.id }, body: { unit: "requests" } }),
    invalid: (f) =>
      Promise.resolve({ params: { id: f.world.features.exportPdf.id }, body: { unit: "not for boolean" } }),
  },
  "features-delete": {
    min: "super_admin",
    scope: "global",
    valid: async (f) => ({
      params: {
        id: (await createFeature(f.db.ctx(), { productId: f.world.product.id, code: unique("f"), name: "F" }))
          .id,
      },
    }),
    invalid: (f) => Promise.resolve({ params: { id: f.world.features.exportPdf.id } }),
    invalidStatus: 412,
  },
  "releases-list": {
    min: "viewer",
    scope: "global",
    valid: (f) => Promise.resolve({ params: { productId: f.world.product.id } }),
    invalid: () => Promise.resolve({ params: { productId: "no-such-product" } }),
    invalidStatus: 404,
  },
  "releases-publish": {
    min: "super_admin",
    scope: "global",
    valid: (f) =>
      Promise.resolve({
        params: { productId: f.world.product.id },
        body: { version: freshVersion(), releasedAt: "2026-01-15T00:00:00Z", notes: "walk" },
      }),
    invalid: (f) =>
      Promise.resolve({ params: { productId: f.world.product.id }, body: { version: "not-semver" } }),
  },
  "releases-delete": {
    min: "super_admin",
    scope: "global",
    valid: async (f) => ({
      params: {
        id: (await publishRelease(f.db.ctx(), { productId: f.world.product.id, version: freshVersion() })).id,
      },
    }),
    invalid: () => Promise.resolve({ params: { id: "no-such-release" } }),
    invalidStatus: 404,
  },
  "groups-list": {
    min: "viewer",
    scope: "global",
    valid: () => Promise.resolve({ query: { sort: "name", direction: "desc" } }),
    invalid: () => Promise.resolve({ query: { sort: "members" } }),
  },
  "groups-create": {
    min: "super_admin",
    scope: "global",
    valid: () => Promise.resolve({ body: { name: unique("Walkers") } }),
    invalid: () => Promise.resolve({ body: { name: "" } }),
  },
  "groups-get": {
    min: "viewer",
    scope: "target",
    valid: (f) => Promise.resolve({ params: { id: f.world.groupA.id } }),
    invalid: () => Promise.resolve({ params: { id: "no-such-group" } }),
    invalidStatus: 404,
  },
  "groups-update": {
    min: "super_admin",
    scope: "global",
    valid: (f) => Promise.resolve({ params: { id: f.world.groupA.id }, body: { description: unique("d") } }),
    invalid: (f) => Promise.resolve({ params: { id: f.world.groupA.id }, body: { name: 42 } }),
  },
  "groups-delete": {
    min: "super_admin",
    scope: "global",
    valid: async (f) => ({ params: { id: (await makeGroup(f.db)).id } }),
    invalid: (f) => Promise.resolve({ params: { id: f.world.groupA.id } }),
    invalidStatus: 412,
  },
  "customers-list": {
    min: "viewer",
    scope: "global",
    valid: (f) =>
      Promise.resolve({ query: { groupId: f.world.groupA.id, sort: "updatedAt", pageSize: "5" } }),
    invalid: () => Promise.resolve({ query: { page: "0" } }),
  },
  "customers-create": {
    min: "editor",
    scope: "named",
    valid: (f) =>
      Promise.resolve({
        body: { name: unique("Walk Co"), groupId: f.world.groupA.id, metadata: { tier: "gold" } },
      }),
    invalid: (f) => Promise.resolve({ body: { name: "Walk Co", groupId: f.world.groupA.id, email: "@" } }),
  },
  "customers-get": {
    min: "viewer",
    scope: "target",
    valid: (f) => Promise.resolve({ params: { id: f.world.customer.id } }),
    invalid: () => Promise.resolve({ params: { id: "no-such-customer" } }),
    invalidStatus: 404,
  },
  "customers-update": {
    min: "editor",
    scope: "target",
    valid: (f) => Promise.resolve({ params: { id: f.world.customer.id }, body: { notes: unique("n") } }),
    invalid: (f) =>
      Promise.resolve({ params: { id: f.world.customer.id }, body: { metadata: "not an object" } }),
  },
  "customers-delete": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { id: (await makeCustomer(f.db, f.world.groupA.id)).id } }),
    invalid: (f) => Promise.resolve({ params: { id: f.world.customer.id } }),
    invalidStatus: 412,
  },
  "customers-archive": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { id: (await makeCustomer(f.db, f.world.groupA.id)).id }, body: {} }),
    invalid: (f) => Promise.resolve({ params: { id: f.world.customer.id }, body: { archived: 1 } }),
  },
  "licenses-list": {
    min: "viewer",
    scope: "global",
    valid: (f) =>
      Promise.resolve({
        query: { customerId: f.world.customer.id, status: "active", expiringWithinDays: "30" },
      }),
    invalid: () => Promise.resolve({ query: { status: "paused" } }),
  },
  "licenses-create": {
    min: "editor",
    scope: "target",
    valid: (f) =>
      Promise.resolve({
        body: {
          customerId: f.world.customer.id,
          productId: f.world.product.id,
          type: "node_locked",
          seatLimit: 2,
          expiresAt: future,
          entitlements: [{ featureId: f.world.features.apiCalls.id, quota: 100, quotaPeriod: "month" }],
        },
      }),
    invalid: (f) =>
      Promise.resolve({
        body: { customerId: f.world.customer.id, productId: f.world.product.id, seatLimit: -1 },
      }),
  },
  "licenses-get": {
    min: "viewer",
    scope: "target",
    valid: (f) => Promise.resolve({ params: { id: f.world.license.id } }),
    invalid: () => Promise.resolve({ params: { id: "no-such-license" } }),
    invalidStatus: 404,
  },
  "licenses-update": {
    min: "editor",
    scope: "target",
    valid: async (f) => ({
      params: { id: await freshLicense(f) },
      body: { seatLimit: 9, metadata: { po: "1" } },
    }),
    invalid: (f) => Promise.resolve({ params: { id: f.world.license.id }, body: { gracePeriodHours: -5 } }),
  },
  "licenses-getByKey": {
    min: "viewer",
    scope: "target",
    valid: (f) => Promise.resolve({ params: { key: f.world.license.key.toLowerCase() } }),
    invalid: () => Promise.resolve({ params: { key: "NOT-A-KEY" } }),
    invalidStatus: 404,
  },
  "licenses-setEntitlements": {
    min: "editor",
    scope: "target",
    valid: async (f) => ({
      params: { id: await freshLicense(f) },
      body: { entitlements: [{ featureId: f.world.features.exportPdf.id }] },
    }),
    invalid: (f) =>
      Promise.resolve({
        params: { id: f.world.license.id },
        body: { entitlements: [{ featureId: f.world.features.exportPdf.id, quota: 3 }] },
      }),
  },
  "licenses-renew": {
    min: "editor",
    scope: "target",
    valid: async (f) => ({ params: { id: await freshLicense(f) }, body: { expiresAt: future } }),
    invalid: (f) => Promise.resolve({ params: { id: f.world.license.id }, body: { extendDays: 0 } }),
  },
  "licenses-suspend": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { id: await freshLicense(f) }, body: { reason: "walk" } }),
    invalid: (f) =>
      Promise.resolve({ params: { id: f.world.license.id }, body: { reason: "r".repeat(600) } }),
  },
  "licenses-reinstate": {
    min: "admin",
    scope: "target",
    valid: async (f) => {
      const id = await freshLicense(f);
      await suspendLicense(f.db.ctx(), { id });
      return { params: { id }, body: {} };
    },
    invalid: (f) => Promise.resolve({ params: { id: f.world.license.id }, body: {} }),
    invalidStatus: 412,
  },
  "licenses-revoke": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { id: await freshLicense(f) }, body: { reason: "walk" } }),
    invalid: (f) => Promise.resolve({ params: { id: f.world.license.id }, body: { reason: ["x"] } }),
  },
  "licenses-issueMany": {
    min: "editor",
    scope: "target",
    valid: async (f) => ({
      body: { customerId: f.world.customer.id, policyId: await freshPolicy(f), count: 2, seatLimit: 7 },
    }),
    invalid: async (f) => ({
      body: { customerId: f.world.customer.id, policyId: await freshPolicy(f), count: 1001 },
    }),
  },
  "licenses-bulkChange": {
    min: "editor",
    // licenses out of the caller's groups are refused one by one inside a 200 answer
    scope: "global",
    valid: async (f) => ({ body: { action: "renew", ids: [await freshLicense(f)], expiresAt: future } }),
    invalid: () => Promise.resolve({ body: { action: "renew", ids: [], expiresAt: future } }),
  },
  "export-licenses-csv": {
    min: "viewer",
    scope: "global",
    valid: (f) => Promise.resolve({ query: { customerId: f.world.customer.id, status: "active" } }),
    invalid: () => Promise.resolve({ query: { status: "paused" } }),
  },
  "export-customers-csv": {
    min: "viewer",
    scope: "global",
    valid: (f) => Promise.resolve({ query: { groupId: f.world.groupA.id, sort: "createdAt" } }),
    invalid: () => Promise.resolve({ query: { includeArchived: "maybe" } }),
  },
  "export-sessions-csv": {
    min: "viewer",
    scope: "target",
    valid: (f) => Promise.resolve({ query: { licenseId: f.world.license.id, state: "all" } }),
    invalid: (f) => Promise.resolve({ query: { licenseId: f.world.license.id, state: "gone" } }),
  },
  "export-audit-events-csv": {
    min: "admin",
    scope: "global",
    valid: () => Promise.resolve({ query: { targetType: "license", direction: "asc" } }),
    invalid: () => Promise.resolve({ query: { from: "yesterday" } }),
  },
  "policies-list": {
    min: "viewer",
    scope: "global",
    valid: (f) => Promise.resolve({ query: { productId: f.world.product.id, includeArchived: "true" } }),
    invalid: (f) => Promise.resolve({ query: { productId: f.world.product.id, includeArchived: "maybe" } }),
  },
  "policies-get": {
    min: "viewer",
    scope: "global",
    valid: async (f) => ({ params: { id: await freshPolicy(f) } }),
    invalid: () => Promise.resolve({ params: { id: "no-such-policy" } }),
    invalidStatus: 404,
  },
  "policies-create": {
    min: "super_admin",
    scope: "global",
    valid: (f) =>
      Promise.resolve({
        body: {
          productId: f.world.product.id,
          name: unique("walk-policy"),
          type: "floating",
          seatLimit: 10,
          durationDays: 365,
          overage: "x1_25",
          checkInIntervalDays: 7,
          offlineAllowanceDays: 14,
          entitlements: [{ featureId: f.world.features.apiCalls.id, quota: 100, quotaPeriod: "month" }],
        },
      }),
    invalid: (f) =>
      Promise.resolve({
        body: { productId: f.world.product.id, name: "contradictory", type: "node_locked", overage: "x2" },
      }),
  },
  "policies-update": {
    min: "super_admin",
    scope: "global",
    valid: async (f) => ({ params: { id: await freshPolicy(f) }, body: { seatLimit: 8 } }),
    invalid: async (f) => ({
      params: { id: await freshPolicy(f) },
      body: { checkInIntervalDays: 30, offlineAllowanceDays: 7 },
    }),
  },
  "policies-previewChange": {
    min: "super_admin",
    scope: "global",
    valid: async (f) => ({ params: { id: await freshPolicy(f) }, body: { seatLimit: 8 } }),
    invalid: async (f) => ({ params: { id: await freshPolicy(f) }, body: { seatLimit: 0 } }),
  },
  "policies-archive": {
    min: "super_admin",
    scope: "global",
    valid: async (f) => ({ params: { id: await freshPolicy(f) }, body: { archived: true } }),
    invalid: async (f) => ({ params: { id: await freshPolicy(f) }, body: { archived: "yes" } }),
  },
  "admins-list": {
    min: "super_admin",
    scope: "global",
    valid: () => Promise.resolve({ query: { role: "viewer", disabled: "false" } }),
    invalid: () => Promise.resolve({ query: { role: "root" } }),
  },
  "admins-create": {
    min: "super_admin",
    scope: "global",
    valid: (f) =>
      Promise.resolve({
        body: {
          email: `${unique("new")}@example.com`,
          role: "editor",
          groupIds: [f.world.groupA.id],
          password: PASSWORD,
        },
      }),
    invalid: () => Promise.resolve({ body: { email: "x@example.com", role: "editor", password: "short" } }),
  },
  "admins-get": {
    min: "super_admin",
    scope: "global",
    valid: async (f, c) => ({ params: { id: (await f.freshSelf(c)).adminId } }),
    invalid: () => Promise.resolve({ params: { id: "no-such-admin" } }),
    invalidStatus: 404,
  },
  "admins-update": {
    min: "super_admin",
    scope: "global",
    valid: async (f, c) => ({ params: { id: (await f.freshSelf(c)).adminId }, body: { name: "Renamed" } }),
    invalid: async (f, c) => ({ params: { id: (await f.freshSelf(c)).adminId }, body: { role: "owner" } }),
  },
  "admins-setPassword": {
    min: "super_admin",
    scope: "global",
    valid: async (f, c) => ({
      params: { id: (await f.freshSelf(c)).adminId },
      body: { password: "reset-walk-password" },
    }),
    invalid: async (f, c) => ({ params: { id: (await f.freshSelf(c)).adminId }, body: { password: "tiny" } }),
  },
  "apiKeys-list": {
    min: "viewer",
    scope: "self",
    valid: () => Promise.resolve({ query: { includeRevoked: "true" } }),
    invalid: () => Promise.resolve({ query: { pageSize: "0" } }),
  },
  "apiKeys-create": {
    min: "viewer",
    scope: "self",
    valid: () => Promise.resolve({ body: { name: "walk", role: "viewer", expiresAt: future } }),
    invalid: () => Promise.resolve({ body: { name: "walk", role: "viewer", expiresAt: "tomorrow" } }),
  },
  "apiKeys-revoke": {
    min: "viewer",
    scope: "self",
    valid: async (f, c) => {
      const self = await f.freshSelf(c);
      const { apiKey } = await createApiKey(f.db.ctx(self.actor), { name: "to revoke", role: "viewer" });
      return { token: self.token, params: { id: apiKey.id }, body: {} };
    },
    invalid: () => Promise.resolve({ params: { id: "no-such-key" }, body: {} }),
    invalidStatus: 404,
  },
  "signingKeys-list": {
    min: "admin",
    scope: "global",
    valid: () => Promise.resolve({ query: { includeRetired: "true" } }),
    invalid: () => Promise.resolve({ query: { includeRetired: "sometimes" } }),
  },
  "signingKeys-rotate": {
    min: "super_admin",
    scope: "global",
    valid: () => Promise.resolve({ body: {} }),
    invalid: () => Promise.resolve({ body: {}, token: null }),
    invalidStatus: 401,
  },
  "signingKeys-retire": {
    min: "super_admin",
    scope: "global",
    valid: async (f) => {
      const before = await rotateSigningKey(f.db.ctx());
      await rotateSigningKey(f.db.ctx());
      return { params: { kid: before.kid }, body: {} };
    },
    invalid: () => Promise.resolve({ params: { kid: "not-a-key-id" }, body: {} }),
  },
  "sessions-list": {
    min: "viewer",
    scope: "target",
    valid: (f) => Promise.resolve({ params: { licenseId: f.world.license.id }, query: { state: "all" } }),
    invalid: (f) => Promise.resolve({ params: { licenseId: f.world.license.id }, query: { state: "gone" } }),
  },
  "sessions-end": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { id: await freshSession(f) }, body: { reason: "walk" } }),
    invalid: async (f) => ({ params: { id: await freshSession(f) }, body: { reason: 5 } }),
  },
  "machines-list": {
    min: "viewer",
    scope: "target",
    valid: (f) => Promise.resolve({ params: { licenseId: f.world.license.id } }),
    invalid: () => Promise.resolve({ params: { licenseId: "x".repeat(65) } }),
  },
  "machines-release": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { id: await freshMachine(f) }, body: {} }),
    invalid: () => Promise.resolve({ params: { id: "x".repeat(65) }, body: {} }),
  },
  "usage-get": {
    min: "viewer",
    scope: "target",
    valid: (f) =>
      Promise.resolve({ params: { licenseId: f.world.license.id }, query: { granularity: "month" } }),
    invalid: (f) =>
      Promise.resolve({ params: { licenseId: f.world.license.id }, query: { granularity: "hour" } }),
  },
  "trials-list": {
    min: "viewer",
    scope: "global",
    valid: (f) => Promise.resolve({ query: { productId: f.world.product.id, status: "active" } }),
    invalid: () => Promise.resolve({ query: { status: "paused" } }),
  },
  "trials-stats": {
    min: "viewer",
    scope: "global",
    valid: (f) => Promise.resolve({ query: { productId: f.world.product.id } }),
    invalid: () => Promise.resolve({ query: { productId: "x".repeat(70) } }),
  },
  "trials-convert": {
    min: "editor",
    scope: "target",
    valid: async (f) => ({
      params: { trialId: await freshTrial(f) },
      body: { customerId: f.world.customer.id, terms: { seatLimit: 2 } },
    }),
    invalid: async (f) => ({
      params: { trialId: await freshTrial(f) },
      body: { customerId: f.world.customer.id, policyId: "p", terms: {} },
    }),
  },
  "dashboard-summary": {
    min: "viewer",
    scope: "global",
    valid: none,
    invalid: () => Promise.resolve({ token: "not-a-token" }),
    invalidStatus: 401,
  },
  "dashboard-activity": {
    min: "viewer",
    scope: "global",
    valid: () => Promise.resolve({ query: { granularity: "hour" } }),
    invalid: () => Promise.resolve({ query: { granularity: "minute" } }),
  },
  "dashboard-licenseActivity": {
    min: "viewer",
    scope: "target",
    valid: (f) =>
      Promise.resolve({ params: { licenseId: f.world.license.id }, query: { granularity: "hour" } }),
    invalid: (f) =>
      Promise.resolve({ params: { licenseId: f.world.license.id }, query: { granularity: "minute" } }),
  },
  "offline-checkout": {
    min: "editor",
    scope: "target",
    valid: async (f) => {
      await ensureSigningKey(f.db.handle, f.db.ctx().encryptionKey, f.db.clock.now());
      const license = await makeLicense(f.db, f.world.customer.id, f.world.product.id, {
        offlineAllowanceDays: 30,
      });
      return { params: { id: license.id }, body: { days: 7, fingerprint: "walk-host", encrypt: true } };
    },
    invalid: (f) => Promise.resolve({ params: { id: f.world.license.id }, body: { days: 0 } }),
  },
  "offline-issuances": {
    min: "viewer",
    scope: "target",
    valid: (f) =>
      Promise.resolve({ params: { id: f.world.license.id }, query: { page: "1", pageSize: "10" } }),
    invalid: (f) => Promise.resolve({ params: { id: f.world.license.id }, query: { pageSize: "0" } }),
  },
  "webhooks-list": {
    min: "admin",
    scope: "global",
    valid: () => Promise.resolve({ query: { page: "1", pageSize: "10" } }),
    invalid: () => Promise.resolve({ query: { pageSize: "0" } }),
  },
  "webhooks-get": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { endpointId: await walkEndpoint(f) } }),
    invalid: () => Promise.resolve({ params: { endpointId: "x".repeat(65) } }),
  },
  "webhooks-create": {
    min: "admin",
    scope: "named",
    valid: (f) =>
      Promise.resolve({
        body: { url: WALK_HOOK_URL, events: ["license.revoked"], groupIds: [f.world.groupA.id] },
      }),
    invalid: (f) =>
      Promise.resolve({
        body: { url: "https://169.254.169.254/latest", events: ["*"], groupIds: [f.world.groupA.id] },
      }),
  },
  "webhooks-update": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { endpointId: await walkEndpoint(f) }, body: { description: "walk" } }),
    invalid: async (f) => ({ params: { endpointId: await walkEndpoint(f) }, body: { events: [] } }),
  },
  "webhooks-delete": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { endpointId: await freshEndpoint(f) } }),
    invalid: () => Promise.resolve({ params: { endpointId: "no-such-endpoint" } }),
    invalidStatus: 404,
  },
  "webhooks-rotateSecret": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { endpointId: await walkEndpoint(f) }, body: { graceHours: 1 } }),
    invalid: async (f) => ({ params: { endpointId: await walkEndpoint(f) }, body: { graceHours: 500 } }),
  },
  "webhooks-sendTest": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { endpointId: await walkEndpoint(f) }, body: {} }),
    invalid: () => Promise.resolve({ params: { endpointId: "x".repeat(65) }, body: {} }),
  },
  "webhooks-deliveries": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { endpointId: await walkEndpoint(f) }, query: { status: "pending" } }),
    invalid: async (f) => ({ params: { endpointId: await walkEndpoint(f) }, query: { status: "lost" } }),
  },
  "webhooks-redeliverFailed": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { endpointId: await walkEndpoint(f) }, body: {} }),
    invalid: () => Promise.resolve({ params: { endpointId: "x".repeat(65) }, body: {} }),
  },
  "webhooks-attempts": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { deliveryId: await walkDelivery(f) } }),
    invalid: () => Promise.resolve({ params: { deliveryId: "x".repeat(65) } }),
  },
  "webhooks-redeliver": {
    min: "admin",
    scope: "target",
    valid: async (f) => ({ params: { deliveryId: await walkDelivery(f) }, body: {} }),
    invalid: () => Promise.resolve({ params: { deliveryId: "no-such-delivery" }, body: {} }),
    invalidStatus: 404,
  },
  "events-list": {
    min: "admin",
    scope: "global",
    valid: () => Promise.resolve({ query: { after: "0", limit: "10", type: "license.created" } }),
    invalid: () => Promise.resolve({ query: { after: "abc" } }),
  },
  "search-console": {
    min: "viewer",
    scope: "global",
    valid: () => Promise.resolve({ query: { q: "Customer", limit: "3" } }),
    invalid: () => Promise.resolve({ query: { q: " " } }),
  },
  "audit-list": {
    min: "admin",
    scope: "global",
    valid: (f) =>
      Promise.resolve({
        query: { targetType: "license", targetId: f.world.license.id, from: "2020-01-01T00:00:00Z" },
      }),
    invalid: () => Promise.resolve({ query: { from: "yesterday" } }),
  },
  "audit-verify": {
    min: "admin",
    scope: "global",
    valid: () => Promise.resolve({ body: { batchSize: 500 } }),
    invalid: () => Promise.resolve({ body: { batchSize: 1 } }),
  },
};

const CSV_EXPORTS: Record<string, Parameters<typeof handleCsvExport>[2]> = {
  "/licenses/export.csv": exportLicenses,
  "/customers/export.csv": exportCustomers,
  "/sessions/export.csv": exportSessions,
  "/audit-events/export.csv": exportAuditEvents,
};

function expectedStatus(entry: Entry, caller: Caller, member: boolean): number {
  if (entry.scope === "public") return 200;
  if (!roleAtLeast(caller.role, entry.min)) return 403;
  if (entry.scope === "global" || entry.scope === "self" || caller.role === "super_admin" || member)
    return 200;
  return entry.scope === "target" ? 404 : 403;
}

describeEachDb("OpenAPI walk", (getDb) => {
  let services: ApiServices;
  let fixtures: Fixtures;
  const callers = new Map<string, Caller>();
  const operations: { method: string; path: string; operationId: string }[] = [];

  const send = async (method: string, pathTemplate: string, call: Call, caller: Caller) => {
    let path = pathTemplate;
    for (const [name, value] of Object.entries(call.params ?? {}))
      path = path.replace(`{${name}}`, encodeURIComponent(value));
    const query = call.query ? `?${new URLSearchParams(call.query).toString()}` : "";
    const headers = new Headers({ "x-forwarded-for": `203.0.113.${Math.floor(Math.random() * 200)}` });
    const token = call.token === undefined ? caller.token : call.token;
    if (token) headers.set("authorization", `Bearer ${token}`);
    let body: string | undefined;
    if (call.body !== undefined && method !== "GET") {
      headers.set("content-type", "application/json");
      body = JSON.stringify(call.body);
    }
    const request = new Request(`http://127.0.0.1:3000/api/v1${path}${query}`, { method, headers, body });
    // the CSV exports are plain routes beside the REST handler (src/server/trpc/csv-export.ts)
    const exporter = CSV_EXPORTS[path];
    const response = exporter
      ? await handleCsvExport(request, services, exporter)
      : await handleRestRequest(request, services);
    const text = await response.text();
    const json = response.headers.get("content-type")?.startsWith("application/json");
    return {
      status: response.status,
      body: (json ? JSON.parse(text) : {}) as { message?: string; code?: string },
    };
  };

  beforeAll(async () => {
    const db = getDb();
    services = testServices(db, JWT_SECRET);
    const world = await makeWorld(db);
    // accounts for the walk are written directly with one precomputed hash: scrypt per account
    // would dominate the run (creating admins through the API is walked like everything else)
    const passwordHash = await hashPassword(PASSWORD);
    const newAdmin = async (role: Role, groupIds: string[]) => {
      const admin = await db.handle.db.admin.create({
        data: {
          email: `${unique(role)}@example.com`,
          role,
          passwordHash,
          passwordChangedAt: new Date(db.clock.now().getTime() - 60_000),
          groups: { create: groupIds.map((groupId) => ({ groupId })) },
        },
        select: { id: true, email: true },
      });
      const { token } = await issueAccessToken(JWT_SECRET, admin.id, db.clock.now());
      const actor: Actor = { type: "admin", id: admin.id, label: admin.email, role, groupIds };
      return { adminId: admin.id, token, actor };
    };
    fixtures = { db, world, freshSelf: (caller) => newAdmin(caller.role, caller.groupIds) };
    for (const role of ROLES) {
      for (const member of [true, false]) {
        const groupIds = [member ? world.groupA.id : world.groupB.id];
        const { adminId, token } = await newAdmin(role, groupIds);
        callers.set(`${role}:${member}`, { role, groupIds, adminId, token });
      }
    }
    const doc = openApiDocument("http://127.0.0.1:3000/api/v1", "test");
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item as Record<string, { operationId?: string }>)) {
        operations.push({
          method: method.toUpperCase(),
          path,
          operationId: op.operationId ?? `${method} ${path}`,
        });
      }
    }
  });

  it("has a valid and an invalid request for every operation in the document", () => {
    expect(operations.length).toBeGreaterThanOrEqual(53);
    expect(operations.map((o) => o.operationId).filter((id) => !(id in entries))).toEqual([]);
  });

  it("answers every valid request 200 and every invalid one with a clear 4xx, writing nothing", async () => {
    const superAdmin = callers.get("super_admin:true");
    if (!superAdmin) throw new Error("no caller");
    for (const { method, path, operationId } of operations) {
      const entry = entries[operationId];
      if (!entry) continue;
      const ok = await send(method, path, await entry.valid(fixtures, superAdmin), superAdmin);
      expect(ok.status, `${operationId} valid: ${JSON.stringify(ok.body)}`).toBe(200);

      const invalid = await entry.invalid(fixtures, superAdmin);
      const before = await getDb().handle.db.auditEvent.count();
      const bad = await send(method, path, invalid, superAdmin);
      expect(bad.status, `${operationId} invalid: ${JSON.stringify(bad.body)}`).toBe(
        entry.invalidStatus ?? 400,
      );
      expect(bad.body.message, operationId).toBeTruthy();
      expect(JSON.stringify(bad.body), operationId).not.toMatch(/"stack"|at async|\.ts:\d+/);
      expect(await getDb().handle.db.auditEvent.count(), `${operationId} wrote an audit event`).toBe(before);
    }
  });

  describe("permission matrix over every procedure", () => {
    for (const role of ROLES) {
      for (const member of [true, false]) {
        it(`${role} ${member ? "in" : "outside"} the group`, async () => {
          const caller = callers.get(`${role}:${member}`);
          if (!caller) throw new Error("no caller");
          const outcomes: Record<string, number> = {};
          const expected: Record<string, number> = {};
          for (const { method, path, operationId } of operations) {
            const entry = entries[operationId];
            if (!entry) continue;
            const result = await send(method, path, await entry.valid(fixtures, caller), caller);
            outcomes[operationId] = result.status;
            expected[operationId] = expectedStatus(entry, caller, member);
          }
          expect(outcomes).toEqual(expected);
        });
      }
    }
  });
});
