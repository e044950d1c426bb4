// The SDK's typed admin client and its example tool, against the admin API served over real HTTP.
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AdminClientError, createAdminClient } from "../../sdk/src/index.ts";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { handleTrpcRequest } from "../../src/server/trpc/handlers.ts";
import { testServices } from "../support/admin-services.ts";
import { describeEachDb } from "../support/db.ts";
import { makeWorld, unique } from "../support/fixtures.ts";

const run = promisify(execFile);

describeEachDb("admin client", (getDb) => {
  let server: Server;
  let url: string;
  let apiKey: string;
  let world: Awaited<ReturnType<typeof makeWorld>>;

  beforeAll(async () => {
    const db = getDb();
    // the example reads the real clock: keep the data relative to it
    db.clock.set(new Date());
    const services = testServices(db, "k".repeat(40));
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
          method: req.method ?? "GET",
          headers: req.headers as Record<string, string>,
          body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
        });
        void handleTrpcRequest(request, services).then(async (response) => {
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(Buffer.from(await response.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    world = await makeWorld(db);
    const admin = await createAdmin(db.ctx(), {
      email: `${unique("tools")}@example.com`,
      role: "admin",
      password: "tools-password-123",
      groupIds: [world.groupA.id],
    });
    const created = await createApiKey(
      db.ctx({ type: "admin", id: admin.id, label: admin.email, role: "admin", groupIds: [world.groupA.id] }),
      { name: "reports", role: "viewer" },
    );
    apiKey = created.key;
    await createLicense(db.ctx(), {
      customerId: world.customer.id,
      productId: world.product.id,
      expiresAt: new Date(Date.now() + 10 * 86_400_000),
    });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("calls typed procedures with an API key and surfaces the server's errors", async () => {
    const client = createAdminClient({ url, apiKey });
    const customer = await client.customers.get.query({ id: world.customer.id });
    expect(customer.name).toBe(world.customer.name);
    expect(typeof customer.createdAt).toBe("string");
    const [products, licenses] = await Promise.all([
      client.products.list.query({}),
      client.licenses.list.query({ customerId: world.customer.id }),
    ]);
    expect(products.items.map((p) => p.id)).toContain(world.product.id);
    expect(licenses.total).toBe(2);

    const refused = await client.licenses.revoke.mutate({ id: world.license.id }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AdminClientError);
    expect((refused as AdminClientError<never>).message).toMatch(/needs role admin/);
    const unauthenticated = await createAdminClient({ url, apiKey: "lsk_" + "0".repeat(40) })
      .profile.get.query({})
      .catch((e: unknown) => e);
    expect((unauthenticated as AdminClientError<never>).data).toMatchObject({ httpStatus: 401 });
  });

  it("runs the example tool", async () => {
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", join("sdk", "examples", "admin-report.ts"), "30", "--json"],
      { env: { ...process.env, LICENSE_SERVER_URL: url, LICENSE_SERVER_API_KEY: apiKey } },
    );
    const report = JSON.parse(stdout) as { days: number; total: number; licenses: { customer: string }[] };
    expect(report).toMatchObject({ days: 30, total: 1 });
    expect(report.licenses[0]?.customer).toBe(world.customer.name);
  });
});
