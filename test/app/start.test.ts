// End to end: the real launcher (`npm start`) on a fresh data directory, on SQLite and on
// PostgreSQL, through Ctrl-C. The first run builds the web app when no build exists (~20-40 s).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createChannel, createClient } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { HealthCheckResponse_ServingStatus } from "nice-grpc-server-health/lib/proto/grpc/health/v1/health";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { checkHealth, freePort } from "../../scripts/lib/launcher.ts";
import { verifyPassword } from "../../src/server/crypto/password.ts";
import { openDatabase } from "../../src/server/db/client.ts";
import type { DbTarget } from "../../src/server/db/provider.ts";
import { APP_VERSION } from "../../src/server/version.ts";
import { createDatabase, dropDatabase, randomDatabaseName } from "../support/postgres.ts";
import { missingTools } from "../support/system-tools.ts";
import { cleanEnv, isAlive, LauncherProcess, type LogLine } from "./launcher-process.ts";

/** Enough for a `next build` on a busy 2-core machine plus the start. */
const BOOT_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

const runs: LauncherProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const run of runs) run.kill();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ls-start-"));
  dirs.push(dir);
  return dir;
}

function launch(env: Record<string, string>, args: string[] = []): LauncherProcess {
  const run = new LauncherProcess({ ...cleanEnv(), LOG_LEVEL: "info", ...env }, args);
  runs.push(run);
  return run;
}

async function grpcHealthStatus(port: number): Promise<number> {
  const channel = createChannel(`127.0.0.1:${port}`);
  try {
    const client = createClient(HealthDefinition, channel);
    const response = await client.check({ service: "" }, { signal: AbortSignal.timeout(5000) });
    return response.status;
  } finally {
    channel.close();
  }
}

interface Ready {
  web: string;
  grpc: string;
  pids: { web: number; gateway: number };
  launcherPid: number;
}

async function waitUntilReady(run: LauncherProcess): Promise<Ready> {
  const line: LogLine = await run.waitForLog(
    (l) => l.name === "launcher" && l.msg === "ready",
    BOOT_TIMEOUT_MS,
  );
  return {
    web: line.web as string,
    grpc: line.grpc as string,
    pids: line.pids as Ready["pids"],
    launcherPid: line.pid as number,
  };
}

/** Ctrl-C: the launcher stops both children and exits 0; nothing it started survives. */
async function interruptAndExpectCleanStop(run: LauncherProcess, ready: Ready): Promise<void> {
  run.child.kill("SIGINT");
  const { code } = await run.waitForExit(STOP_TIMEOUT_MS);
  expect(code, run.output()).toBe(0);
  for (const pid of [ready.launcherPid, ready.pids.web, ready.pids.gateway]) {
    expect(isAlive(pid), `process ${pid} still running`).toBe(false);
  }
  const stopped = run.logLines().filter((l) => l.name === "launcher" && typeof l.child === "string");
  expect(stopped.map((l) => l.child).sort()).toEqual(["gateway", "web"]);
  expect(stopped.every((l) => l.msg?.endsWith("stopped"))).toBe(true);
}

async function expectAdmin(target: DbTarget, email: string, password: string): Promise<void> {
  const handle = await openDatabase(target);
  try {
    const admins = await handle.db.admin.findMany({
      select: { email: true, role: true, passwordHash: true },
    });
    expect(admins).toHaveLength(1);
    expect(admins[0]).toMatchObject({ email, role: "super_admin" });
    expect(await verifyPassword(password, admins[0]?.passwordHash ?? "")).toBe(true);
  } finally {
    await handle.close();
  }
}

describe("npm start", () => {
  it("rejects a bad setting with a clear message, exit code 1 and no stack trace", async () => {
    const run = launch({ DATA_DIR: tempDir(), PORT: "abc" });
    const { code } = await run.waitForExit(STOP_TIMEOUT_MS);
    expect(code).toBe(1);
    expect(run.stderr).toContain("PORT");
    expect(run.stderr).toContain('"abc"');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).toBe("");
  });

  /** next-auth sign-in with the credentials form, the session cookie on tRPC, then sign-out. */
  async function expectWebSignIn(base: string, email: string, password: string): Promise<void> {
    const jar = new Map<string, string>();
    const keep = (response: Response) => {
      for (const cookie of response.headers.getSetCookie()) {
        const [pair = ""] = cookie.split(";");
        const [name = "", ...value] = pair.split("=");
        jar.set(name, value.join("="));
      }
    };
    const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const csrfResponse = await fetch(`${base}/api/auth/csrf`);
    keep(csrfResponse);
    const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
    const signIn = (pw: string, callbackUrl?: string) =>
      fetch(`${base}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader() },
        body: new URLSearchParams({
          csrfToken,
          email,
          password: pw,
          json: "true",
          ...(callbackUrl ? { callbackUrl } : {}),
        }),
      });

    const refused = await signIn("not the password");
    expect(refused.headers.getSetCookie().some((c) => c.startsWith("next-auth.session-token="))).toBe(false);
    const accepted = await signIn(password);
    const sessionCookie = accepted.headers
      .getSetCookie()
      .find((c) => c.startsWith("next-auth.session-token="));
    expect(sessionCookie).toMatch(/HttpOnly/i);
    keep(accepted);

    const profile = await fetch(`${base}/api/trpc/profile.get?input=${encodeURIComponent("{}")}`, {
      headers: { cookie: cookieHeader() },
    });
    expect(((await profile.json()) as { result: { data: { email: string } } }).result.data.email).toBe(email);
    // the cookie does not authenticate a state-changing request from another site
    const crossSite = await fetch(`${base}/api/trpc/settings.update`, {
      method: "POST",
      headers: { cookie: cookieHeader(), origin: "http://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ requireTwoFactor: false }),
    });
    expect(crossSite.status).toBe(401);

    const signOut = await fetch(`${base}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader() },
      body: new URLSearchParams({ csrfToken, json: "true" }),
    });
    expect(signOut.headers.getSetCookie().some((c) => /^next-auth\.session-token=;/.test(c))).toBe(true);

    // the signed-out cookie, kept as a copy would be: next-auth's own refresh hands out nothing
    // and the API refuses it (the server-side session row has ended)
    const session = await fetch(`${base}/api/auth/session`, { headers: { cookie: cookieHeader() } });
    expect(await session.json()).toEqual({});
    expect(session.headers.getSetCookie().every((c) => /^next-auth\.session-token=;/.test(c))).toBe(true);
    const after = await fetch(`${base}/api/trpc/profile.get?input=${encodeURIComponent("{}")}`, {
      headers: { cookie: cookieHeader() },
    });
    expect(after.status).toBe(401);

    // a callbackUrl naming another site (as the browser would read /\evil.example or /<tab>/evil.example)
    // sends the signed-in admin to this origin's dashboard
    for (const callbackUrl of ["/\\evil.example", "/\t/evil.example", "https://evil.example/"]) {
      const redirected = await signIn(password, callbackUrl);
      expect(((await redirected.json()) as { url: string }).url).toBe(`${base}/`);
    }
  }

  it(
    "on SQLite: prepares a fresh data directory, serves the web app and the gRPC sidecar, stops on Ctrl-C",
    async () => {
      const dataDir = tempDir();
      const [port, grpcPort] = [await freePort(), await freePort()];
      const email = "owner@example.com";
      const password = "correct horse battery staple";
      const run = launch({
        DATA_DIR: dataDir,
        PORT: String(port),
        GRPC_PORT: String(grpcPort),
        LICENSE_SERVER_ADMIN_EMAIL: email,
        LICENSE_SERVER_ADMIN_PASSWORD: password,
      });
      const ready = await waitUntilReady(run);
      expect(ready.web).toBe(`http://127.0.0.1:${port}`);
      expect(ready.grpc).toBe(`127.0.0.1:${grpcPort}`);

      const health = await checkHealth(`http://127.0.0.1:${port}/api/health`);
      expect(health).toEqual({
        status: 200,
        body: { status: "ok", version: APP_VERSION, database: { provider: "sqlite", ok: true } },
      });
      expect(await grpcHealthStatus(grpcPort)).toBe(HealthCheckResponse_ServingStatus.SERVING);
      // a password that was given is never printed
      expect(run.stdout + run.stderr).not.toContain(password);

      // the admin API through the built Next app: sign in over REST, use the token over tRPC
      const base = `http://127.0.0.1:${port}`;
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      const profile = await fetch(`${base}/api/trpc/profile.get?input=${encodeURIComponent("{}")}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await profile.json()) as { result: { data: { email: string } } }).result.data.email).toBe(
        email,
      );
      const openapi = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as { paths: object };
      expect(Object.keys(openapi.paths)).toContain("/licenses/{id}/revoke");
      // the API reference works air-gapped: the page and its assets come from this server
      const docs = await (await fetch(`${base}/api/docs`)).text();
      const assets = [...docs.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");
      expect(assets.length).toBeGreaterThan(0);
      for (const asset of assets) {
        expect(asset.startsWith("/")).toBe(true);
        expect((await fetch(`${base}${asset}`)).status).toBe(200);
      }

      // the signing key made on first start, public
      const signingKey = (await (await fetch(`${base}/api/signing-key`)).json()) as {
        public_key_pem: string;
        kid: string;
      };
      expect(signingKey.public_key_pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
      expect(signingKey.kid).toMatch(/^[0-9a-f]{16}$/);

      await expectWebSignIn(base, email, password);
      expect(existsSync(join(dataDir, "secrets.json"))).toBe(true);

      await interruptAndExpectCleanStop(run, ready);
      await expectAdmin({ provider: "sqlite", url: join(dataDir, "license.db") }, email, password);
    },
    BOOT_TIMEOUT_MS + STOP_TIMEOUT_MS,
  );

  it.skipIf(missingTools("curl", "openssl"))(
    "runs the README's curl session as written",
    async () => {
      const readme = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");
      const block = /<!-- readme-curl:start -->\s*```sh\n([\s\S]*?)```\s*<!-- readme-curl:end -->/.exec(
        readme,
      )?.[1];
      expect(block).toBeTruthy();
      const [port, grpcPort] = [await freePort(), await freePort()];
      const run = launch({
        DATA_DIR: tempDir(),
        PORT: String(port),
        GRPC_PORT: String(grpcPort),
        LICENSE_SERVER_ADMIN_EMAIL: "admin@example.com",
        LICENSE_SERVER_ADMIN_PASSWORD: "change-me-at-once",
      });
      const ready = await waitUntilReady(run);
      // as written: the block reads PORT and GRPC_PORT from the environment, as the server does
      const script = `set -euo pipefail\n${block ?? ""}`;
      const { stdout } = await promisify(execFile)("bash", ["-c", script], {
        timeout: 90_000,
        env: { ...process.env, PORT: String(port), GRPC_PORT: String(grpcPort) },
      });
      const lines = stdout.trim().split("\n");
      expect(lines).toHaveLength(11);
      expect(lines[0]).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$/);
      expect(lines.slice(1, 10)).toEqual([
        "1",
        "403",
        "license.create",
        "true",
        "STATUS_CODE_VALID",
        "STATUS_CODE_VALID",
        "3",
        "true",
        "STATUS_CODE_VALID",
      ]);
      // the gRPC example: status, entitled features, grace token expiry ("-": the README's license
      // is floating, and a floating Validate takes no seat, so it carries no grace token)
      expect(lines[10]).toBe("VALID api-calls -");
      await interruptAndExpectCleanStop(run, ready);
    },
    BOOT_TIMEOUT_MS + STOP_TIMEOUT_MS,
  );

  const postgresUnavailable = inject("postgresUnavailable");
  if (postgresUnavailable) {
    console.warn(
      `\n*** PostgreSQL is not reachable (${postgresUnavailable}): the npm start PostgreSQL case is skipped ***\n`,
    );
  }

  describe.skipIf(postgresUnavailable !== null)("on PostgreSQL", () => {
    const name = randomDatabaseName("ls_test");
    let url: string;
    let run: LauncherProcess;
    let ready: Ready;
    let port: number;

    beforeAll(async () => {
      url = await createDatabase(name);
    });
    afterAll(async () => {
      await dropDatabase(name);
    });

    it(
      "serves health with provider postgresql and prints the generated first password once",
      async () => {
        [port] = [await freePort()];
        const grpcPort = await freePort();
        run = launch({
          DATA_DIR: tempDir(),
          DATABASE_URL: url,
          PORT: String(port),
          GRPC_PORT: String(grpcPort),
        });
        ready = await waitUntilReady(run);

        const health = await checkHealth(`http://127.0.0.1:${port}/api/health`);
        expect(health).toEqual({
          status: 200,
          body: { status: "ok", version: APP_VERSION, database: { provider: "postgresql", ok: true } },
        });
        expect(await grpcHealthStatus(grpcPort)).toBe(HealthCheckResponse_ServingStatus.SERVING);

        const printed = [...run.stdout.matchAll(/^\s+password: (\S+)$/gm)].map((m) => m[1]);
        expect(printed).toHaveLength(1);
        await expectAdmin({ provider: "postgresql", url }, "admin@localhost", printed[0] ?? "");
      },
      BOOT_TIMEOUT_MS,
    );

    it("answers 503 without details once the database is gone", async () => {
      await dropDatabase(name); // WITH (FORCE): the app's pooled connections are terminated too
      const health = await checkHealth(`http://127.0.0.1:${port}/api/health`, 10_000);
      expect(health).toEqual({
        status: 503,
        body: { status: "error", version: APP_VERSION, database: { provider: "postgresql", ok: false } },
      });
    });

    it(
      "stops both processes on Ctrl-C and exits 0",
      async () => {
        await interruptAndExpectCleanStop(run, ready);
      },
      STOP_TIMEOUT_MS,
    );
  });
});
