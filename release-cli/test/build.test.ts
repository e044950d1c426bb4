// `license-release build` makes a folder that runs with Node alone (the web app from Next's
// standalone output, the bundled sidecar, admin CLI and launcher) and a tarball; `docker` writes
// the container files and says whether Docker can build them here.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createChannel, createClient } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../sdk/test/server-process.ts";
import { cli, tempDir } from "./support.ts";

const out = tempDir("license-release-build-");
const data = tempDir("license-release-data-");
let server: ChildProcess | undefined;

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  rmSync(out, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

describe("license-release build", () => {
  let dir = "";

  it("builds a runnable folder and a tarball with version info", async () => {
    const repo = join(import.meta.dirname, "..", "..");
    const tsconfig = readFileSync(join(repo, "tsconfig.json"), "utf8");
    const built = await cli(out, ["build", "--out", ".", "--tarball", "--json"]);
    expect(built.code, built.stderr).toBe(0);
    const result = built.json<{
      dir: string;
      tarball: string;
      version: { version: string; commit: string | null };
    }>();
    dir = result.dir;
    expect(dir).toBe(join(out, `license-server-${result.version.version}`));
    expect(existsSync(result.tarball)).toBe(true);
    for (const file of [
      "server.js",
      "bin/start.mjs",
      "bin/gateway.mjs",
      "bin/admin.mjs",
      "prisma/migrations",
      "VERSION.json",
      "README.md",
    ])
      expect(existsSync(join(dir, file)), file).toBe(true);
    // self-contained: every link inside the folder points inside it
    const links = (function walk(path: string): string[] {
      return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
        const full = join(path, entry.name);
        if (entry.isSymbolicLink()) return [full];
        return entry.isDirectory() ? walk(full) : [];
      });
    })(dir);
    for (const link of links)
      expect(realpathSync(link).startsWith(`${dir}/`), `${link} → ${realpathSync(link)}`).toBe(true);
    const version = JSON.parse(readFileSync(join(dir, "VERSION.json"), "utf8")) as Record<string, unknown>;
    expect(version).toMatchObject({
      name: "license-server",
      version: result.version.version,
      node: process.versions.node,
    });
    expect(built.stderr).toMatch(/\[1\/6\] next build/);
    // the repository's own files are as they were (Next rewrites them for its distDir)
    expect(readFileSync(join(repo, "tsconfig.json"), "utf8")).toBe(tsconfig);
    expect((await cli(out, ["build", "--out", "."])).code).toBe(1); // exists: --force to replace
    // a production build: in a full run it shares two cores with the other suites' builds
  }, 600_000);

  it("runs with node alone: first run, web app, sidecar with metrics, admin CLI, clean stop", async () => {
    const [port, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: data,
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      GRPC_METRICS_PORT: String(metricsPort),
      LICENSE_SERVER_ADMIN_EMAIL: "admin@example.com",
      LICENSE_SERVER_ADMIN_PASSWORD: "change-me-at-once",
    };
    let output = "";
    const child = spawn(process.execPath, ["bin/start.mjs"], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    server = child;
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    expect(await waitFor(() => Promise.resolve(output.includes('"msg":"ready"')), 60_000), output).toBe(true);

    const health = (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as Record<
      string,
      unknown
    >;
    expect(health).toMatchObject({ status: "ok", database: { provider: "sqlite", ok: true } });
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@example.com", password: "change-me-at-once" }),
    });
    expect(login.status).toBe(200);
    expect(
      await waitFor(async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok, 20_000),
    ).toBe(true);
    const channel = createChannel(`127.0.0.1:${grpcPort}`);
    try {
      const status = await createClient(HealthDefinition, channel).check({
        service: "license.v1.LicenseService",
      });
      expect(status.status).toBe(1); // SERVING
    } finally {
      channel.close();
    }
    const audit = spawnSync(process.execPath, ["bin/admin.mjs", "verify-audit", "--json"], {
      cwd: dir,
      env,
      encoding: "utf8",
    });
    expect(audit.status, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true });

    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 300_000);

  it("writes Docker files and tells whether Docker can build them", async () => {
    const missing = await cli(out, ["docker", dir, "--json"], {
      LICENSE_RELEASE_DOCKER: "/nonexistent/docker",
    });
    expect(missing.code, missing.stderr).toBe(0);
    expect(missing.json<{ docker: { state: string }; written: string[] }>()).toMatchObject({
      docker: { state: "missing" },
      written: ["Dockerfile", ".dockerignore", "compose.yaml", "prometheus/", "grafana/"],
    });
    const dockerfile = readFileSync(join(dir, "Dockerfile"), "utf8");
    expect(dockerfile).toMatch(
      new RegExp(`^FROM node:${process.versions.node.split(".")[0]}-bookworm-slim$`, "m"),
    );
    expect(dockerfile).toMatch(/CMD \["node", "bin\/start\.mjs"\]/);
    expect(readFileSync(join(dir, "compose.yaml"), "utf8")).toMatch(
      /gateway:[\s\S]*postgres:[\s\S]*prometheus:/,
    );
    const noBuild = await cli(out, ["docker", dir, "--image"], {
      LICENSE_RELEASE_DOCKER: "/nonexistent/docker",
    });
    expect(noBuild.code).toBe(1);
    expect(noBuild.stderr).toMatch(/docker is not installed/);
    expect((await cli(out, ["docker", out])).code).toBe(1); // not a build folder
  });
});
