// The release CLI against a real server, through the SDK's admin client only: .lic checkout by
// id and by key, offline verification with the server's exported keyring, a package checked out
// and keyed from the server, and the errors of a wrong key or a missing server.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerProcess, startHttpApi } from "../../sdk/test/server-process.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import { createCustomer } from "../../src/server/core/customers/create-customer.ts";
import { createFeature } from "../../src/server/core/features/create-feature.ts";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { createProduct } from "../../src/server/core/products/create-product.ts";
import { cli, tempDir } from "./support.ts";

describe("license-release against a server", () => {
  const server = new ServerProcess();
  const dir = tempDir();
  let http: Awaited<ReturnType<typeof startHttpApi>>;
  let env: Record<string, string>;
  let license: { id: string; key: string };

  beforeAll(async () => {
    await server.prepare();
    const ctx = server.ctx();
    const product = await createProduct(ctx, { code: "acme-cad", name: "Acme CAD" });
    const pdf = await createFeature(ctx, { productId: product.id, code: "export-pdf", name: "Export PDF" });
    const group = await ctx.db.group.findFirstOrThrow({ select: { id: true } });
    const customer = await createCustomer(ctx, { name: "Initech", groupId: group.id });
    license = await createLicense(ctx, {
      customerId: customer.id,
      productId: product.id,
      offlineAllowanceDays: 30,
      entitlements: [{ featureId: pdf.id }],
    });
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
    const { key } = await createApiKey(adminCtx, { name: "release pipeline", role: "admin" });
    http = await startHttpApi(server);
    env = { LICENSE_SERVER_URL: http.url, LICENSE_SERVER_API_KEY: key };
  });

  afterAll(async () => {
    await http.close();
    await server.close();
  });

  it("checks out a .lic by key and by id, and verifies it offline with the server's keyring", async () => {
    const byKey = await cli(
      dir,
      ["license", "checkout", "--license", license.key, "--days", "10", "--out", "a.lic", "--json"],
      env,
    );
    expect(byKey.code, byKey.stderr).toBe(0);
    expect(byKey.json<{ issuance: { kid: string } }>().issuance.kid).toMatch(/^[0-9a-f]{16}$/);
    const byId = await cli(dir, ["license", "checkout", "--license", license.id], env);
    expect(byId.code, byId.stderr).toBe(0);
    expect(byId.stdout).toMatch(/^wrote .*\.lic/);

    const exported = await cli(
      dir,
      ["keys", "export-public", "--no-vendor", "--from-server", "--out", "server-keys.json"],
      env,
    );
    expect(exported.code, exported.stderr).toBe(0);

    const valid = await cli(dir, [
      "license",
      "verify",
      "a.lic",
      "--keyring",
      "server-keys.json",
      "--license-key",
      license.key,
      "--product",
      "acme-cad",
    ]);
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^VALID: signed by [0-9a-f]{16}\n {2}product {3}acme-cad/);
    const other = await cli(dir, [
      "license",
      "verify",
      "a.lic",
      "--keyring",
      "server-keys.json",
      "--product",
      "other",
      "--json",
    ]);
    expect(other.code).toBe(1);
    expect(other.json()).toEqual({ valid: false, reason: "PRODUCT_MISMATCH" });
    const later = await cli(
      dir,
      [
        "license",
        "verify",
        "a.lic",
        "--from-server",
        "--at",
        new Date(Date.now() + 11 * 86_400_000).toISOString(),
      ],
      env,
    );
    expect(later.code).toBe(1);
    expect(later.stdout).toMatch(/INVALID: EXPIRED/);

    // one changed character: refused
    const text = readFileSync(join(dir, "a.lic"), "utf8");
    writeFileSync(
      join(dir, "b.lic"),
      text.replace(/\n(.)/, (_m, c: string) => `\n${c === "A" ? "B" : "A"}`),
    );
    const changed = await cli(dir, ["license", "verify", "b.lic", "--keyring", "server-keys.json"]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/INVALID: (BAD_SIGNATURE|MALFORMED)/);
  });

  it("binds and encrypts for a machine", async () => {
    const bound = await cli(
      dir,
      [
        "license",
        "checkout",
        "--license",
        license.id,
        "--fingerprint",
        "host-7f3a",
        "--encrypt",
        "--out",
        "bound.lic",
      ],
      env,
    );
    expect(bound.code, bound.stderr).toBe(0);
    const without = await cli(dir, ["license", "verify", "bound.lic", "--keyring", "server-keys.json"]);
    expect(without.stdout).toMatch(/FINGERPRINT_REQUIRED/);
    const right = await cli(dir, [
      "license",
      "verify",
      "bound.lic",
      "--keyring",
      "server-keys.json",
      "--fingerprint",
      "host-7f3a",
    ]);
    expect(right.code).toBe(0);
    expect(right.stdout).toMatch(/encrypted/);
  });

  it("packages a license checked out from the server, keyed by the server's keyring", async () => {
    expect((await cli(dir, ["keys", "generate"])).code).toBe(0);
    writeFileSync(join(dir, "app.bin"), "the software");
    const built = await cli(
      dir,
      [
        "package",
        "--license",
        license.key,
        "--artifact",
        "app.bin",
        "--name",
        "initech",
        "--rest",
        http.url,
        "--json",
      ],
      env,
    );
    expect(built.code, built.stderr).toBe(0);
    const verified = await cli(dir, ["package", "verify", "initech.tar.gz"]);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(/ok {3}license file {2}license\/.*\.lic valid until/);
  });

  it("says what is wrong with the server or the key, with non-zero exit codes", async () => {
    const wrongKey = await cli(dir, ["license", "checkout", "--license", license.id], {
      ...env,
      LICENSE_SERVER_API_KEY: "lsk_" + "x".repeat(40),
    });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/refused the API key/);
    const noServer = await cli(dir, ["license", "checkout", "--license", license.id], {
      LICENSE_SERVER_API_KEY: "lsk_x",
    });
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toMatch(/LICENSE_SERVER_URL/);
    const down = await cli(
      dir,
      ["license", "checkout", "--license", license.id, "--server", "http://127.0.0.1:9"],
      env,
    );
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the server/);
    const unknown = await cli(
      dir,
      ["license", "checkout", "--license", "00000-00000-00000-00000-00000"],
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/404/);
  });
});
