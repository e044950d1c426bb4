// Attacks on the group scope of the issue-15 admin endpoints, through the real admin REST API
// (handleRestRequest with a bearer token) and the real licensing API (gRPC on loopback):
// - a viewer of group B previews a change to a policy whose licenses are group A's: the refusal
//   names a group-A license key, which then works on the licensing API;
// - an editor of group B converts a trial of group A into a customer of group B.
import { afterAll, beforeAll, expect, it } from "vitest";
import { issueAccessToken } from "../../src/server/auth/jwt.ts";
import { hashPassword } from "../../src/server/crypto/password.ts";
import type { Role } from "../../src/server/core/context.ts";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { createPolicy } from "../../src/server/core/policies/create-policy.ts";
import { StatusCode } from "../../src/generated/proto/license/v1/license.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { handleRestRequest } from "../../src/server/trpc/handlers.ts";
import { testServices } from "../support/admin-services.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeCustomer, makeGroup, makeProduct, unique } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";
import { components, makeTrialProduct } from "../support/trials.ts";

const JWT_SECRET = "a".repeat(40);
const statusName = (code: StatusCode) => StatusCode[code].replace("STATUS_CODE_", "");

describeEachDb("issue 15 attacks: group scope of policies and trials", (getDb) => {
  let db: TestDb;
  let services: ApiServices;
  let server: LicensingServer;

  beforeAll(async () => {
    db = getDb();
    services = testServices(db, JWT_SECRET);
    server = await startLicensingServer(db, { licensing: { trialRateLimitPerHour: 1000 } });
  });
  afterAll(async () => {
    await server.close();
  });

  async function tokenFor(role: Role, groupIds: string[]): Promise<string> {
    const admin = await db.handle.db.admin.create({
      data: {
        email: `${unique(role)}@example.com`,
        role,
        passwordHash: await hashPassword("attack-password-123"),
        passwordChangedAt: new Date(db.clock.now().getTime() - 60_000),
        groups: { create: groupIds.map((groupId) => ({ groupId })) },
      },
      select: { id: true },
    });
    return (await issueAccessToken(JWT_SECRET, admin.id, db.clock.now())).token;
  }

  async function send(token: string, method: string, path: string, body?: unknown) {
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
    return { status: response.status, text: await response.text() };
  }

  it("a viewer of another group cannot learn a license key from a policy preview's refusal", async () => {
    const groupA = await makeGroup(db);
    const groupB = await makeGroup(db);
    const { product } = await makeProduct(db);
    const customerA = await makeCustomer(db, groupA.id);
    const policy = await createPolicy(db.ctx(), {
      productId: product.id,
      name: unique("Floating"),
      type: "floating",
      seatLimit: 5,
    });
    // group A's license from the policy, overriding the type
    const victim = await createLicense(db.ctx(), {
      customerId: customerA.id,
      policyId: policy.id,
      type: "node_locked",
      seatLimit: 1,
    });
    const viewerB = await tokenFor("viewer", [groupB.id]);
    // group B sees nothing of group A's license...
    const direct = await send(viewerB, "GET", `/licenses/${victim.id}`);
    expect(direct.status).toBe(404);
    // ...but a preview of a change that would contradict its override answers with its key
    const preview = await send(viewerB, "POST", `/policies/${policy.id}/preview`, { overage: "x2" });
    expect(preview.status).toBeGreaterThanOrEqual(400);
    expect(preview.text).not.toContain(victim.key);

    // what the key would buy: the licensing API binds the attacker's machine to it
    const stolen = await server.client.validate({
      licenseKey: victim.key,
      client: {
        productCode: product.code,
        fingerprint: fingerprint(),
        clientVersion: "",
        hostname: "",
        components: [],
      },
    });
    expect(statusName(stolen.status)).toBe("VALID");
  });

  it("an editor of another group cannot convert a trial of group A into a customer of its own", async () => {
    const world = await makeTrialProduct(db); // trial customer in world.group (group A)
    const fp = fingerprint();
    const started = await server.client.startTrial({
      client: {
        productCode: world.product.code,
        fingerprint: fp,
        clientVersion: "1.0.0",
        hostname: "victim",
        components: components({ board: "b-victim" }),
      },
      email: "",
    });
    expect(statusName(started.status)).toBe("VALID");
    const trial = await db.handle.db.trial.findFirstOrThrow({
      where: { productId: world.product.id },
      select: { id: true, licenseId: true },
    });
    const groupB = await makeGroup(db);
    const customerB = await makeCustomer(db, groupB.id);
    const editorB = await tokenFor("editor", [groupB.id]);
    // group B's list does not show the trial
    const list = await send(editorB, "GET", `/trials?productId=${world.product.id}`);
    expect(list.status).toBe(200);
    expect((JSON.parse(list.text) as { total: number }).total).toBe(0);

    const convert = await send(editorB, "POST", `/trials/${trial.id}/convert`, {
      customerId: customerB.id,
      terms: { type: "floating", seatLimit: 50 },
    });
    expect(convert.status).toBe(404);
    const license = await db.handle.db.license.findUniqueOrThrow({
      where: { id: trial.licenseId },
      select: { customerId: true, trial: true, seatLimit: true },
    });
    expect(license).toEqual({ customerId: world.trialCustomer.id, trial: true, seatLimit: 1 });
  });
});
