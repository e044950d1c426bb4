// `license-release release publish | list` against a real server (the admin API over HTTP, through
// the SDK's admin client): publishing by product code and by id, the list newest version first,
// and the server's refusals (not semver, a duplicate, an unknown product, a key without the role)
// as one-line errors with exit code 1, writing nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerProcess, startHttpApi } from "../../sdk/test/server-process.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import { createProduct } from "../../src/server/core/products/create-product.ts";
import { cli, tempDir } from "./support.ts";

describe("license-release release against a server", () => {
  const server = new ServerProcess();
  const dir = tempDir();
  let http: Awaited<ReturnType<typeof startHttpApi>>;
  let env: Record<string, string>;
  let adminEnv: Record<string, string>;
  let productId: string;

  beforeAll(async () => {
    await server.prepare();
    const ctx = server.ctx();
    productId = (await createProduct(ctx, { code: "acme-cad", name: "Acme CAD" })).id;
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
    const { key } = await createApiKey(adminCtx, { name: "release pipeline", role: "super_admin" });
    const adminKey = await createApiKey(adminCtx, { name: "support desk", role: "admin" });
    http = await startHttpApi(server);
    env = { LICENSE_SERVER_URL: http.url, LICENSE_SERVER_API_KEY: key };
    adminEnv = { ...env, LICENSE_SERVER_API_KEY: adminKey.key };
  });

  afterAll(async () => {
    await http.close();
    await server.close();
  });

  const releases = () =>
    server.handle.db.release.findMany({ where: { productId }, select: { version: true } });

  it("publishes by product code and by id, and lists newest version first", async () => {
    const first = await cli(
      dir,
      [
        "release",
        "publish",
        "v1.9.0",
        "--product",
        "acme-cad",
        "--released-at",
        "2026-01-10T00:00:00Z",
        "--notes",
        "first",
      ],
      env,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("published acme-cad 1.9.0, released 2026-01-10T00:00:00.000Z\n");

    const second = await cli(dir, ["release", "publish", "1.10.0", "--product", productId, "--json"], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.json()).toMatchObject({ productId, version: "1.10.0", notes: "" });

    const list = await cli(dir, ["release", "list", "--product", "acme-cad", "--json"], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.json<{ version: string }[]>().map((r) => r.version)).toEqual(["1.10.0", "1.9.0"]);
    const text = await cli(dir, ["release", "list", "--product", "acme-cad"], env);
    expect(text.stdout.split("\n")[0]).toMatch(/^version\s+released$/);
    expect(text.stdout).toContain("1.9.0    2026-01-10T00:00:00.000Z  first");
  });

  it("reports the server's refusals in one line, exit 1, writing nothing", async () => {
    const before = await releases();
    const bad = await cli(dir, ["release", "publish", "not-semver", "--product", "acme-cad"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("the server answered 400");
    expect(bad.stderr).toContain('version: "not-semver" is not a semver version');

    const duplicate = await cli(dir, ["release", "publish", "1.9.0", "--product", "acme-cad"], env);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain("the server answered 409");
    expect(duplicate.stderr).toContain("version 1.9.0 of acme-cad is already published");

    const unknown = await cli(dir, ["release", "list", "--product", "no-such-product"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no product has the code or id no-such-product");

    // release.write is super_admin's: a release decides coverage for every group's licenses
    const byAdmin = await cli(dir, ["release", "publish", "2.0.0", "--product", "acme-cad"], adminEnv);
    expect(byAdmin.code).toBe(1);
    expect(byAdmin.stderr).toContain("the server answered 403");
    expect(await releases()).toEqual(before);
  });

  it("refuses a bad --released-at before calling the server (usage, exit 2)", async () => {
    const run = await cli(
      dir,
      ["release", "publish", "3.0.0", "--product", "acme-cad", "--released-at", "soon"],
      env,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--released-at: soon is not a time");
  });
});
