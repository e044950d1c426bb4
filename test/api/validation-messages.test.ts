// The wording of bad input at the API (REST and tRPC, SQLite and PostgreSQL): INVALID_ARGUMENT's
// message and its field list say what is wrong in the user's terms, with the units the schemas
// carry ("at least 1 seat", "at most 365 days"), the rules between fields in words ("the expiry
// must be after the start date"), the license's own allowance for offline files; nothing changes.
import { beforeAll, expect, it } from "vitest";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { handleRestRequest, handleTrpcRequest } from "../../src/server/trpc/handlers.ts";
import { testServices } from "../support/admin-services.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeLicense, makeWorld, unique } from "../support/fixtures.ts";

const BASE = "http://127.0.0.1:3000";
const PASSWORD = "messages-api-password";

interface Refusal {
  status: number;
  message: string;
  domainCode: string | null;
  fields: { path: string; message: string }[];
}

describeEachDb("validation messages at the API", (getDb) => {
  let db: TestDb;
  let services: ApiServices;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  let bearer: string;

  const rest = async (method: string, path: string, body: unknown): Promise<Refusal> => {
    const response = await handleRestRequest(
      new Request(`${BASE}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          "content-type": "application/json",
          "x-forwarded-for": "192.0.2.77",
        },
        body: JSON.stringify(body),
      }),
      services,
    );
    const json = (await response.json()) as {
      message: string;
      data?: { domainCode?: string | null; fields?: { path: string; message: string }[] };
    };
    return {
      status: response.status,
      message: json.message,
      domainCode: json.data?.domainCode ?? null,
      fields: json.data?.fields ?? [],
    };
  };

  /** What the database holds that a refused change could have touched. */
  const snapshot = async (licenseId: string) => ({
    licenses: await db.handle.db.license.count(),
    policies: await db.handle.db.policy.count(),
    audits: await db.handle.db.auditEvent.count(),
    files: await db.handle.db.offlineIssuance.count(),
    license: await db.handle.db.license.findUniqueOrThrow({
      where: { id: licenseId },
      select: {
        expiresAt: true,
        seatLimit: true,
        heartbeatIntervalSeconds: true,
        offlineAllowanceDays: true,
      },
    }),
  });

  beforeAll(async () => {
    db = getDb();
    services = testServices(db, "m".repeat(40));
    world = await makeWorld(db);
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    const email = `${unique("messages")}@example.com`;
    await createAdmin(db.ctx(), { email, role: "super_admin", password: PASSWORD });
    const login = await handleRestRequest(
      new Request(`${BASE}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "192.0.2.77" },
        body: JSON.stringify({ email, password: PASSWORD }),
      }),
      services,
    );
    bearer = ((await login.json()) as { token: string }).token;
  });

  it("issuing a license: each range in its unit, every field listed, nothing written", async () => {
    const license = await makeLicense(db, world.customer.id, world.product.id, { offlineAllowanceDays: 30 });
    const before = await snapshot(license.id);
    const refused = await rest("POST", "/licenses", {
      customerId: world.customer.id,
      productId: world.product.id,
      seatLimit: -1,
      heartbeatIntervalSeconds: 5,
      offlineAllowanceDays: 400,
      gracePeriodHours: 2.5,
      checkInIntervalDays: 0,
    });
    expect(refused.status).toBe(400);
    expect(refused.domainCode).toBe("INVALID_ARGUMENT");
    expect(refused.message).toBe("invalid input: seatLimit: at least 1 seat (and 4 more)");
    expect(refused.fields).toEqual([
      { path: "seatLimit", message: "at least 1 seat" },
      { path: "heartbeatIntervalSeconds", message: "at least 30 seconds" },
      { path: "gracePeriodHours", message: "must be a whole number of hours" },
      { path: "offlineAllowanceDays", message: "at most 365 days" },
      { path: "checkInIntervalDays", message: "at least 1 day" },
    ]);
    const tooMany = await rest("POST", "/licenses", {
      customerId: world.customer.id,
      productId: world.product.id,
      seatLimit: 2_000_000,
      heartbeatIntervalSeconds: 100_000,
    });
    expect(tooMany.fields).toEqual([
      { path: "seatLimit", message: "at most 1,000,000 seats" },
      { path: "heartbeatIntervalSeconds", message: "at most 86,400 seconds" },
    ]);
    const notNumbers = await rest("POST", "/licenses", {
      customerId: world.customer.id,
      productId: world.product.id,
      seatLimit: "five",
    });
    expect(notNumbers.fields).toEqual([{ path: "seatLimit", message: "must be a number of seats" }]);
    expect(await snapshot(license.id)).toEqual(before);
  });

  it("a past expiry, and an expiry before the start, say so in words", async () => {
    const license = await makeLicense(db, world.customer.id, world.product.id);
    const before = await snapshot(license.id);
    const past = await rest("POST", "/licenses", {
      customerId: world.customer.id,
      productId: world.product.id,
      expiresAt: new Date(db.clock.now().getTime() - 86_400_000).toISOString(),
    });
    expect(past).toMatchObject({
      status: 400,
      domainCode: "INVALID_ARGUMENT",
      message: "expiresAt: the expiry must be after the start date",
      fields: [{ path: "expiresAt", message: "the expiry must be after the start date" }],
    });
    const beforeStart = await rest("POST", "/licenses", {
      customerId: world.customer.id,
      productId: world.product.id,
      startsAt: "2031-01-10T00:00:00Z",
      expiresAt: "2031-01-01T00:00:00Z",
    });
    expect(beforeStart.status).toBe(400);
    expect(beforeStart.fields).toEqual([
      { path: "expiresAt", message: "the expiry must be after the start date" },
    ]);
    const both = await rest("POST", "/licenses", {
      customerId: world.customer.id,
      productId: world.product.id,
      expiresAt: "2031-01-01T00:00:00Z",
      durationDays: 30,
    });
    expect(both.fields).toEqual([
      { path: "durationDays", message: "give either an expiry date or a duration in days, not both" },
    ]);
    expect(await snapshot(license.id)).toEqual(before);
  });

  it("renewing: −10 days, too many days and a past date, worded; nothing renewed", async () => {
    const license = await makeLicense(db, world.customer.id, world.product.id, {
      expiresAt: new Date(db.clock.now().getTime() + 30 * 86_400_000),
    });
    const before = await snapshot(license.id);
    const negative = await rest("POST", `/licenses/${license.id}/renew`, { extendDays: -10 });
    expect(negative).toMatchObject({
      status: 400,
      message: "invalid input: extendDays: at least 1 day",
      fields: [{ path: "extendDays", message: "at least 1 day" }],
    });
    const tooLong = await rest("POST", `/licenses/${license.id}/renew`, { extendDays: 4000 });
    expect(tooLong.fields).toEqual([{ path: "extendDays", message: "at most 3,650 days" }]);
    const past = await rest("POST", `/licenses/${license.id}/renew`, {
      expiresAt: new Date(db.clock.now().getTime() - 86_400_000).toISOString(),
    });
    expect(past).toMatchObject({
      status: 400,
      fields: [{ path: "expiresAt", message: "the new expiry must be in the future" }],
    });
    const neither = await rest("POST", `/licenses/${license.id}/renew`, {});
    expect(neither.fields).toEqual([
      { path: "expiresAt", message: "give either a new expiry date or a number of days to extend by" },
    ]);
    expect(await snapshot(license.id)).toEqual(before);
  });

  it("an offline file: the format's limit and the license's allowance, both true; nothing issued", async () => {
    const license = await makeLicense(db, world.customer.id, world.product.id, { offlineAllowanceDays: 30 });
    const before = await snapshot(license.id);
    const overFormat = await rest("POST", `/licenses/${license.id}/checkout`, { days: 400 });
    expect(overFormat).toMatchObject({
      status: 400,
      domainCode: "INVALID_ARGUMENT",
      message: "invalid input: days: at most 365 days",
      fields: [{ path: "days", message: "at most 365 days" }],
    });
    const overLicense = await rest("POST", `/licenses/${license.id}/checkout`, { days: 100 });
    expect(overLicense).toMatchObject({
      status: 400,
      message: "invalid input: days: this license allows at most 30 days",
      fields: [{ path: "days", message: "this license allows at most 30 days" }],
    });
    const zero = await rest("POST", `/licenses/${license.id}/checkout`, { days: 0 });
    expect(zero.fields).toEqual([{ path: "days", message: "at least 1 day" }]);
    expect(await snapshot(license.id)).toEqual(before);
  });

  it("changing terms and policies: the same words (PATCH and POST /policies)", async () => {
    const license = await makeLicense(db, world.customer.id, world.product.id);
    const before = await snapshot(license.id);
    const update = await rest("PATCH", `/licenses/${license.id}`, { seatLimit: 0, gracePeriodHours: -1 });
    expect(update.status).toBe(400);
    expect(update.fields).toEqual([
      { path: "seatLimit", message: "at least 1 seat" },
      { path: "gracePeriodHours", message: "at least 0 hours" },
    ]);
    const policy = await rest("POST", "/policies", {
      productId: world.product.id,
      name: "Bad policy",
      durationDays: 0,
      heartbeatIntervalSeconds: 10,
      entitlements: [{ featureId: world.features.apiCalls.id, quota: -5 }],
    });
    expect(policy.status).toBe(400);
    expect(policy.fields).toEqual([
      { path: "durationDays", message: "at least 1 day" },
      { path: "heartbeatIntervalSeconds", message: "at least 30 seconds" },
      { path: "entitlements.0.quota", message: "at least 0 units" },
    ]);
    const bulk = await rest("POST", "/licenses/bulk", {
      customerId: world.customer.id,
      policyId: "any",
      count: 5000,
    });
    expect(bulk.fields).toEqual([{ path: "count", message: "at most 1,000 licenses" }]);
    expect(await snapshot(license.id)).toEqual(before);
  });

  it("tRPC answers with the same message and fields", async () => {
    const response = await handleTrpcRequest(
      new Request(`${BASE}/api/trpc/licenses.create`, {
        method: "POST",
        headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
        body: JSON.stringify({
          customerId: world.customer.id,
          productId: world.product.id,
          seatLimit: -1,
          heartbeatIntervalSeconds: 5,
        }),
      }),
      services,
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: { message: string; data: { domainCode: string; fields: { path: string; message: string }[] } };
    };
    expect(body.error.message).toBe("invalid input: seatLimit: at least 1 seat (and 1 more)");
    expect(body.error.data.domainCode).toBe("INVALID_ARGUMENT");
    expect(body.error.data.fields).toEqual([
      { path: "seatLimit", message: "at least 1 seat" },
      { path: "heartbeatIntervalSeconds", message: "at least 30 seconds" },
    ]);
  });
});
