// Attack: hostile input to the issue-15 endpoints, on both databases — StartTrial on gRPC and the
// REST twin (components over the limit, bad kinds, prototype-named kinds, oversized and
// malformed fields, huge bodies) and the admin REST API (bulk issue counts, contradictory
// policies, malformed release versions, unknown ids). Every refusal is a precise 4xx (or the
// status it names), never a 500 or INTERNAL, and writes nothing.
import { randomBytes } from "node:crypto";
import { Status } from "nice-grpc";
import type { RichClientError } from "nice-grpc-error-details";
import { afterAll, beforeAll, expect, it } from "vitest";
import { issueAccessToken } from "../../src/server/auth/jwt.ts";
import { hashPassword } from "../../src/server/crypto/password.ts";
import { StatusCode } from "../../src/generated/proto/license/v1/license.ts";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { handleRestRequest } from "../../src/server/trpc/handlers.ts";
import { testServices } from "../support/admin-services.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeCustomer, makeGroup, makeProduct, unique } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";
import { components, makeTrialProduct } from "../support/trials.ts";

const JWT_SECRET = "h".repeat(40);
const statusName = (code: StatusCode) => StatusCode[code].replace("STATUS_CODE_", "");

describeEachDb("issue 15 attacks: hostile input", (getDb) => {
  let db: TestDb;
  let server: LicensingServer;
  let services: ApiServices;
  let token: string;

  beforeAll(async () => {
    db = getDb();
    server = await startLicensingServer(db, { licensing: { trialRateLimitPerHour: 10_000 } });
    services = testServices(db, JWT_SECRET);
    const admin = await db.handle.db.admin.create({
      data: {
        email: `${unique("root")}@example.com`,
        role: "super_admin",
        passwordHash: await hashPassword("hostile-input-password"),
        passwordChangedAt: new Date(db.clock.now().getTime() - 60_000),
      },
      select: { id: true },
    });
    token = (await issueAccessToken(JWT_SECRET, admin.id, db.clock.now())).token;
  });
  afterAll(async () => {
    await server.close();
  });

  async function counts() {
    const d = db.handle.db;
    return {
      licenses: await d.license.count(),
      trials: await d.trial.count(),
      machines: await d.machineBinding.count(),
      policies: await d.policy.count(),
      releases: await d.release.count(),
      audit: await d.auditEvent.count(),
    };
  }

  async function admin(method: string, path: string, body?: unknown) {
    const headers = new Headers({ authorization: `Bearer ${token}` });
    if (body !== undefined) headers.set("content-type", "application/json");
    const response = await handleRestRequest(
      new Request(`http://127.0.0.1:3000/api/v1${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
      services,
    );
    const text = await response.text();
    return { status: response.status, text };
  }

  it("refuses malformed StartTrial requests with 400 / INVALID_ARGUMENT, writing nothing", async () => {
    const { product } = await makeTrialProduct(db, { machineMatching: "most" });
    const base = {
      productCode: product.code,
      fingerprint: fingerprint(),
      hostname: "h",
      clientVersion: "1.0.0",
    };
    const bad: { body: unknown; path?: string }[] = [
      {
        body: {
          client: {
            ...base,
            components: Array.from({ length: 17 }, (_, i) => ({ kind: `k${i}`, hash: "h" })),
          },
        },
        path: "client.components",
      },
      {
        body: {
          client: { ...base, components: components({ board: "a" }).concat(components({ board: "b" })) },
        },
      },
      { body: { client: { ...base, components: [{ kind: "Board", hash: "x" }] } } },
      { body: { client: { ...base, components: [{ kind: "", hash: "x" }] } } },
      { body: { client: { ...base, components: [{ kind: "board", hash: "" }] } } },
      { body: { client: { ...base, components: [{ kind: "board", hash: "x".repeat(129) }] } } },
      { body: { client: { ...base, components: [{ kind: "k".repeat(33), hash: "x" }] } } },
      { body: { client: { ...base, components: [{ kind: "board" }] } } },
      { body: { client: { ...base, fingerprint: "f".repeat(257) } } },
      { body: { client: { ...base, hostname: "h".repeat(256) } } },
      { body: { client: base, email: "not-an-email" } },
      { body: { client: base, email: `${"e".repeat(250)}@example.com` } },
      { body: { client: { ...base, productCode: "" } } },
      { body: {} },
      { body: { client: "yes" } },
      { body: [] },
    ];
    const before = await counts();
    for (const { body, path } of bad) {
      const response = await server.rest("start-trial", body);
      const text = await response.text();
      expect(response.status, `${JSON.stringify(body).slice(0, 400)} -> ${text.slice(0, 80)}`).toBe(400);
      if (path) expect(text).toContain(path);
    }
    // the same on gRPC
    const error = (await server.client
      .startTrial({
        client: { ...base, components: Array.from({ length: 17 }, (_, i) => ({ kind: `k${i}`, hash: "h" })) },
        email: "",
      })
      .catch((e: unknown) => e)) as RichClientError;
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    // a body over the limit is 413 before it is read
    const huge = await server.rest("start-trial", undefined, {
      raw: JSON.stringify({ client: base, email: "", pad: randomBytes(48 * 1024).toString("hex") }),
    });
    expect(huge.status).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it("takes prototype-named component kinds as plain kinds (no crash, no match through them)", async () => {
    const { product } = await makeTrialProduct(db, { machineMatching: "any" });
    const list = [
      { kind: "__proto__", hash: "p" },
      { kind: "constructor", hash: "c" },
      { kind: "hasownproperty", hash: "o" },
      { kind: "tostring", hash: "t" },
    ];
    const first = await server.client.startTrial({
      client: {
        productCode: product.code,
        fingerprint: fingerprint(),
        hostname: "h",
        clientVersion: "",
        components: list,
      },
      email: "",
    });
    expect(statusName(first.status), first.message).toBe("VALID");
    // another machine sharing only the prototype-named kinds' hashes
    const second = await server.client.startTrial({
      client: {
        productCode: product.code,
        fingerprint: fingerprint(),
        hostname: "h",
        clientVersion: "",
        components: [{ kind: "constructor", hash: "c" }],
      },
      email: "",
    });
    expect(["VALID", "TRIAL_ALREADY_USED"]).toContain(statusName(second.status));
    // and the node-locked bind path with them
    const group = await makeGroup(db);
    const { product: p2 } = await makeProduct(db);
    const customer = await makeCustomer(db, group.id);
    const license = await createLicense(db.ctx(), {
      customerId: customer.id,
      productId: p2.id,
      type: "node_locked",
      seatLimit: 1,
      machineMatching: "any",
    });
    const a = await server.client.validate({
      licenseKey: license.key,
      client: {
        productCode: p2.code,
        fingerprint: fingerprint(),
        hostname: "a",
        clientVersion: "",
        components: list,
      },
    });
    expect(statusName(a.status)).toBe("VALID");
    const b = await server.client.validate({
      licenseKey: license.key,
      client: {
        productCode: p2.code,
        fingerprint: fingerprint(),
        hostname: "b",
        clientVersion: "",
        components: [{ kind: "__proto__", hash: "p" }],
      },
    });
    // __proto__ is not a component the stored binding can match on
    expect(["VALID", "FINGERPRINT_MISMATCH"]).toContain(statusName(b.status));
  });

  it("refuses bad admin input on the new endpoints with precise 4xx, writing nothing", async () => {
    const group = await makeGroup(db);
    const { product, features } = await makeProduct(db);
    const customer = await makeCustomer(db, group.id);
    const created = await admin("POST", "/policies", {
      productId: product.id,
      name: unique("Std"),
      type: "floating",
      seatLimit: 3,
    });
    expect(created.status, created.text).toBe(200);
    const policyId = (JSON.parse(created.text) as { id: string }).id;
    const before = await counts();
    const cases: [string, string, unknown, number][] = [
      ["POST", "/licenses/bulk", { customerId: customer.id, policyId, count: 1001 }, 400],
      ["POST", "/licenses/bulk", { customerId: customer.id, policyId, count: 0 }, 400],
      ["POST", "/licenses/bulk", { customerId: customer.id, policyId, count: -5 }, 400],
      ["POST", "/licenses/bulk", { customerId: customer.id, policyId, count: 1.5 }, 400],
      ["POST", "/licenses/bulk", { customerId: customer.id, policyId, count: "10" }, 400],
      ["POST", "/licenses/bulk", { customerId: customer.id, policyId, count: 1e308 }, 400],
      ["POST", "/licenses/bulk", { customerId: customer.id, policyId: "no-such-policy", count: 2 }, 404],
      [
        "POST",
        "/licenses/bulk",
        { customerId: customer.id, policyId, count: 2, type: "node_locked", overage: "x2" },
        400,
      ],
      [
        "POST",
        "/policies",
        { productId: product.id, name: unique("P"), type: "node_locked", overage: "x1_5" },
        400,
      ],
      [
        "POST",
        "/policies",
        { productId: product.id, name: unique("P"), checkInIntervalDays: 30, offlineAllowanceDays: 7 },
        400,
      ],
      [
        "POST",
        "/policies",
        {
          productId: product.id,
          name: unique("P"),
          entitlements: [{ featureId: features.exportPdf.id, quota: 10 }],
        },
        400,
      ],
      [
        "POST",
        "/policies",
        { productId: product.id, name: unique("P"), kind: "trial", type: "floating" },
        400,
      ],
      ["PATCH", `/policies/${policyId}`, { seatLimit: 0 }, 400],
      ["PATCH", "/policies/no-such-policy", { seatLimit: 2 }, 404],
      ["POST", "/policies/no-such-policy/preview", { seatLimit: 2 }, 404],
      ["POST", `/products/${product.id}/releases`, { version: "01.0.0" }, 400],
      ["POST", `/products/${product.id}/releases`, { version: "1.0.0+build.1" }, 400],
      ["POST", `/products/${product.id}/releases`, { version: "" }, 400],
      ["POST", `/products/${product.id}/releases`, { version: "1.0.0 || 2.0.0" }, 400],
      ["POST", `/products/${product.id}/releases`, { version: `1.0.0-${"a".repeat(200)}` }, 400],
      ["POST", `/products/${product.id}/releases`, { version: "1.0.0", releasedAt: "yesterday" }, 400],
      ["POST", "/products/no-such-product/releases", { version: "1.0.0" }, 404],
      ["POST", "/trials/no-such-trial/convert", { customerId: customer.id }, 404],
    ];
    for (const [method, path, body, status] of cases) {
      const result = await admin(method, path, body);
      expect(result.status, `${method} ${path} ${JSON.stringify(body)} -> ${result.text}`).toBe(status);
      expect(result.text).not.toMatch(/"stack"|at async|\.ts:\d+/);
    }
    expect(await counts()).toEqual(before);
  });
});
