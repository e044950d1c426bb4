// The SDK's examples, run as their README says, against a real server: the gRPC sidecar as a
// child process and the web app's API handlers on a loopback port. Also the REST fallback.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import { createCustomer } from "../../src/server/core/customers/create-customer.ts";
import { createFeature } from "../../src/server/core/features/create-feature.ts";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { checkoutLicenseFile } from "../../src/server/core/offline/checkout-license-file.ts";
import { createProduct } from "../../src/server/core/products/create-product.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { LicenseClient } from "../src/client/license-client.ts";
import { ServerProcess, startHttpApi } from "./server-process.ts";

const run = promisify(execFile);
const repo = join(import.meta.dirname, "..", "..");

async function example(name: string, env: Record<string, string>) {
  try {
    const { stdout } = await run(process.execPath, ["--import", "tsx", `sdk/examples/${name}`], {
      cwd: repo,
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

describe("SDK examples against a real server", () => {
  const server = new ServerProcess();
  const dir = mkdtempSync(join(tmpdir(), "ls-sdk-examples-"));
  let http: Awaited<ReturnType<typeof startHttpApi>>;
  let env: Record<string, string>;
  let licenseId: string;
  let apiKey: string;

  beforeAll(async () => {
    await server.prepare();
    const ctx = server.ctx();
    const product = await createProduct(ctx, { code: "acme-cad", name: "Acme CAD" });
    const pdf = await createFeature(ctx, { productId: product.id, code: "export-pdf", name: "Export PDF" });
    const calls = await createFeature(ctx, {
      productId: product.id,
      code: "api-calls",
      name: "API calls",
      kind: "metered",
      unit: "calls",
    });
    const group = await ctx.db.group.findFirstOrThrow({ select: { id: true } });
    const customer = await createCustomer(ctx, { name: "Initech", groupId: group.id });
    const license = await createLicense(ctx, {
      customerId: customer.id,
      productId: product.id,
      // node-locked: licensed-cli only validates, and only a bound machine's Validate carries a
      // grace token (a floating license's come with a seat: Activate/Heartbeat, see feature-gate)
      type: "node_locked",
      seatLimit: 2,
      offlineAllowanceDays: 30,
      expiresAt: new Date(Date.now() + 20 * 86_400_000),
      entitlements: [{ featureId: pdf.id }, { featureId: calls.id, quota: 100 }],
    });
    licenseId = license.id;
    const keys = (await publicKeyring(server.handle.db)).map(({ kid, publicKeyPem }) => ({
      kid,
      publicKeyPem,
    }));
    writeFileSync(join(dir, "keys.json"), JSON.stringify(keys));
    const admin = await ctx.db.admin.findFirstOrThrow({ select: { id: true, email: true } });
    const adminCtx = {
      ...ctx,
      actor: {
        type: "admin" as const,
        id: admin.id,
        label: admin.email,
        role: "super_admin" as const,
        groupIds: [],
      },
    };
    apiKey = (await createApiKey(adminCtx, { name: "report", role: "viewer" })).key;
    await server.start();
    http = await startHttpApi(server);
    env = {
      LICENSE_SERVER: server.address,
      LICENSE_KEY: license.key,
      PRODUCT: "acme-cad",
      PUBLIC_KEYS_FILE: join(dir, "keys.json"),
      FINGERPRINT: "build-agent-7",
    };
  });

  afterAll(async () => {
    await http.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("licensed-cli: online over gRPC, over the REST twin, and refused with a wrong key", async () => {
    const grpc = await example("licensed-cli.ts", env);
    expect(grpc.code).toBe(0);
    expect(grpc.stdout).toMatch(/^licensed \(online\) until .*: Initech\nfeatures: api-calls, export-pdf\n$/);
    const rest = await example("licensed-cli.ts", { ...env, LICENSE_SERVER: http.url });
    expect(rest.stdout).toContain("licensed (online)");
    const wrong = await example("licensed-cli.ts", { ...env, LICENSE_KEY: "00000-00000-00000-00000-00000" });
    expect(wrong).toMatchObject({ code: 3 });
    expect(wrong.stdout).toContain("not licensed: NOT_FOUND");
  });

  it("licensed-cli: air-gapped with only a .lic, and refused with an edited one", async () => {
    const file = await checkoutLicenseFile(server.ctx(), {
      id: licenseId,
      fingerprint: "build-agent-7",
      days: 10,
    });
    writeFileSync(join(dir, "acme.lic"), file.content);
    const offline = { ...env, LICENSE_SERVER: "127.0.0.1:1", LICENSE_FILE: join(dir, "acme.lic") };
    const ok = await example("licensed-cli.ts", offline);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("licensed (license_file)");
    // no server configured at all: the file alone decides
    const { code } = await example("licensed-cli.ts", { ...offline, LICENSE_SERVER: "" });
    expect(code).toBe(0);
    const elsewhere = await example("licensed-cli.ts", { ...offline, FINGERPRINT: "another-machine" });
    expect(elsewhere.code).toBe(3);
    const lines = file.content.split("\n");
    const body = lines[3] ?? "";
    lines[3] = (body[0] === "A" ? "B" : "A") + body.slice(1);
    writeFileSync(join(dir, "edited.lic"), lines.join("\n"));
    const edited = await example("licensed-cli.ts", { ...offline, LICENSE_FILE: join(dir, "edited.lic") });
    expect(edited.code).toBe(3);
    expect(edited.stdout).toContain("not licensed: OFFLINE");
  });

  it("licensed-cli: through an outage on the grace token in its cache", async () => {
    const cached = { ...env, CACHE_DIR: join(dir, "cache") };
    expect((await example("licensed-cli.ts", cached)).stdout).toContain("licensed (online)");
    await server.kill();
    try {
      const outage = await example("licensed-cli.ts", cached);
      expect(outage.code).toBe(0);
      expect(outage.stdout).toContain("licensed (grace)");
      const noCache = await example("licensed-cli.ts", env);
      expect(noCache.code).toBe(3);
    } finally {
      await server.start();
    }
  });

  it("feature-gate: takes a seat, shows the granted features, counts usage, frees the seat", async () => {
    const out = await example("feature-gate.ts", { ...env, CACHE_DIR: join(dir, "gate") });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("[x] Export to PDF");
    expect(out.stdout).toContain("[ ] Render in 4K");
    expect(out.stdout).toMatch(/api-calls: VALID, used 3 of 100/);
    expect(out.stdout).toContain("session ended: yes");
    expect(await server.handle.db.session.count({ where: { licenseId, endedAt: null } })).toBe(0);
    expect(await server.handle.db.usageRecord.count({ where: { licenseId } })).toBe(1);
  });

  it("admin-report: the typed admin client lists licenses expiring soon", async () => {
    const out = await example("admin-report.ts", {
      LICENSE_SERVER_URL: http.url,
      LICENSE_SERVER_API_KEY: apiKey,
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("Initech");
  });

  it("LicenseClient falls back from gRPC to REST when gRPC is unreachable", async () => {
    const client = new LicenseClient({
      server: { grpc: "127.0.0.1:1", rest: http.url },
      licenseKey: env.LICENSE_KEY ?? "",
      product: "acme-cad",
      // the answers over REST are verified like any other
      publicKeys: (await publicKeyring(server.handle.db)).map(({ kid, publicKeyPem }) => ({
        kid,
        publicKeyPem,
      })),
      fingerprint: "fallback-machine",
      requestTimeoutMs: 2000,
    });
    const events: string[] = [];
    client.on("offline", () => events.push("offline"));
    expect(await client.validate()).toMatchObject({ valid: true, tier: "online" });
    expect(events).toEqual([]);
    await client.close();
  });
});
