// Editing a license's expiry through the REST API (PATCH /licenses/{id}, the procedure the edit
// dialog calls over tRPC): 200 with the new expiry, 400 naming the field for one before the start,
// 412 on a revoked license, 403 for a viewer; nothing written by a refused call. Both databases.
import { beforeAll, expect, it } from "vitest";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import { revokeLicense } from "../../src/server/core/licenses/revoke-license.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { handleRestRequest } from "../../src/server/trpc/handlers.ts";
import { testServices } from "../support/admin-services.ts";
import { describeEachDb } from "../support/db.ts";
import { makeLicense, makeWorld, unique } from "../support/fixtures.ts";

const BASE = "http://127.0.0.1:3000";

interface Json {
  [key: string]: unknown;
}

describeEachDb("license edits over REST", (getDb) => {
  let services: ApiServices;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  let editorKey: string;
  let viewerKey: string;

  const patch = async (id: string, body: unknown, token: string) => {
    const response = await handleRestRequest(
      new Request(`${BASE}/api/v1/licenses/${id}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
      services,
    );
    return { status: response.status, body: (await response.json()) as Json };
  };
  const stored = (id: string) =>
    getDb().handle.db.license.findUniqueOrThrow({
      where: { id },
      select: { expiresAt: true, seatLimit: true, updatedAt: true },
    });

  beforeAll(async () => {
    const db = getDb();
    services = testServices(db, "e".repeat(40));
    world = await makeWorld(db);
    const keyOf = async (role: "editor" | "viewer") => {
      const admin = await createAdmin(db.ctx(), {
        email: `${unique(role)}@example.com`,
        role,
        password: "license-edit-password",
        groupIds: [world.groupA.id],
      });
      const created = await createApiKey(
        db.ctx({ type: "admin", id: admin.id, label: admin.email, role, groupIds: [world.groupA.id] }),
        { name: `${role} tool`, role },
      );
      return created.key;
    };
    editorKey = await keyOf("editor");
    viewerKey = await keyOf("viewer");
  });

  it("sets the expiry with the terms in one call", async () => {
    const answer = await patch(
      world.license.id,
      { seatLimit: 4, expiresAt: "2031-05-01T00:00:00Z" },
      editorKey,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ seatLimit: 4, expiresAt: "2031-05-01T00:00:00.000Z" });
    expect(await stored(world.license.id)).toMatchObject({
      seatLimit: 4,
      expiresAt: new Date("2031-05-01T00:00:00Z"),
    });
    const removed = await patch(world.license.id, { expiresAt: null }, editorKey);
    expect(removed.status).toBe(200);
    expect((await stored(world.license.id)).expiresAt).toBeNull();
  });

  it("refuses an expiry before the start (400), a revoked license (412), a viewer (403), writing nothing", async () => {
    const db = getDb();
    const license = await makeLicense(db, world.customer.id, world.product.id);
    const before = await stored(license.id);
    const audits = await db.handle.db.auditEvent.count();

    const early = await patch(license.id, { seatLimit: 9, expiresAt: "2001-01-01T00:00:00Z" }, editorKey);
    expect(early.status).toBe(400);
    expect(((early.body.data as Json).fields as { path: string }[]).map((f) => f.path)).toEqual([
      "expiresAt",
    ]);
    const malformed = await patch(license.id, { expiresAt: "soon" }, editorKey);
    expect(malformed.status).toBe(400);
    const viewer = await patch(license.id, { expiresAt: "2031-01-01T00:00:00Z" }, viewerKey);
    expect(viewer.status).toBe(403);
    expect(await stored(license.id)).toEqual(before);
    expect(await db.handle.db.auditEvent.count()).toBe(audits);

    await revokeLicense(db.ctx(), { id: license.id });
    const revoked = await patch(license.id, { expiresAt: "2031-01-01T00:00:00Z" }, editorKey);
    expect(revoked.status).toBe(412);
    expect((await stored(license.id)).expiresAt).toBeNull();
  });
});
