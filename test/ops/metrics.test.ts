// Prometheus metrics on both servers: the real launcher (npm start) runs the web app and the
// sidecar; after traffic over REST, the REST twin and gRPC (incl. refusals and rate-limited
// calls), a scrape of each /metrics finds the named series.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChannel, createClient, Status, type ClientError } from "nice-grpc";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/launcher.ts";
import { ActivateResponse, LicenseServiceDefinition } from "../../src/generated/proto/license/v1/license.ts";
import { openDatabase } from "../../src/server/db/client.ts";
import { cleanEnv, LauncherProcess } from "../app/launcher-process.ts";

const BOOT_TIMEOUT_MS = 240_000;
const TOKEN = "scrape-token-0123456789";
const UNKNOWN_KEY = "00000-00000-00000-00000-00000";
const dir = mkdtempSync(join(tmpdir(), "ls-metrics-"));
let run: LauncherProcess | undefined;

afterAll(async () => {
  if (run) {
    run.child.kill("SIGINT");
    await run.waitForExit(30_000).catch(() => {
      run?.kill();
    });
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The value of the first sample of `name` whose labels include `labels`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)/.exec(line);
    if (match?.[1] !== name) continue;
    const have = match[3] ?? "";
    if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) return Number(match[4]);
  }
  return undefined;
}

async function scrape(
  url: string,
  token: string | null = TOKEN,
): Promise<{ status: number; text: string; type: string }> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return {
    status: response.status,
    text: await response.text(),
    type: response.headers.get("content-type") ?? "",
  };
}

describe("/metrics on the web app and the sidecar", () => {
  it("counts requests, validations, rate limits and reports sessions, licenses, heartbeats and the process", async () => {
    const [port, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    run = new LauncherProcess({
      ...cleanEnv(),
      LOG_LEVEL: "info",
      DATA_DIR: dir,
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      GRPC_METRICS_PORT: String(metricsPort),
      METRICS_TOKEN: TOKEN,
      CLIENT_RATE_LIMIT_PER_KEY: "4",
      LICENSE_SERVER_ADMIN_EMAIL: "admin@example.com",
      LICENSE_SERVER_ADMIN_PASSWORD: "change-me-at-once",
    });
    await run.waitForLog((l) => l.name === "launcher" && l.msg === "ready", BOOT_TIMEOUT_MS);
    const web = `http://127.0.0.1:${port}`;

    // the admin API: a product, a customer, an active license expiring soon, a suspended one
    const api = async (path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${web}/api/v1${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(300);
      return (await response.json()) as Record<string, unknown>;
    };
    const { token } = (await api("/auth/login", {
      email: "admin@example.com",
      password: "change-me-at-once",
    })) as {
      token: string;
    };
    const product = await api("/products", { code: "acme-cad", name: "Acme CAD" }, token);
    const groups = (await api("/groups?q=Default", undefined, token)) as { items: { id: string }[] };
    const customer = await api("/customers", { name: "Initech", groupId: groups.items[0]?.id }, token);
    const soon = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const license = await api(
      "/licenses",
      { customerId: customer.id, productId: product.id, seatLimit: 5, expiresAt: soon },
      token,
    );
    const other = await api("/licenses", { customerId: customer.id, productId: product.id }, token);
    await api(`/licenses/${String(other.id)}/suspend`, { reason: "unpaid" }, token);
    const key = license.key as string;
    const who = { productCode: "acme-cad", fingerprint: "host-1", clientVersion: "1.0", hostname: "" };

    // the REST twin: valid, unknown key, then over the per-key limit (4 a minute per process)
    const rest = (op: string, body: unknown) =>
      fetch(`${web}/api/v1/client/${op}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...(body as object), nonce: randomBytes(16).toString("base64") }),
      });
    const restStatuses: number[] = [];
    for (let i = 0; i < 5; i++)
      restStatuses.push((await rest("validate", { licenseKey: key, client: who })).status);
    expect(restStatuses).toEqual([200, 200, 200, 200, 429]);
    expect((await rest("validate", { licenseKey: UNKNOWN_KEY, client: who })).status).toBe(200);

    // gRPC: an activation with a heartbeat, validations up to the limit and past it
    const channel = createChannel(`127.0.0.1:${grpcPort}`);
    try {
      const client = createClient(LicenseServiceDefinition, channel);
      const nonce = () => randomBytes(16);
      const activated = ActivateResponse.decode(
        (await client.activate({ licenseKey: key, client: who, nonce: nonce() })).answer,
      );
      await client.heartbeat({
        licenseKey: key,
        client: who,
        sessionId: activated.sessionId,
        nonce: nonce(),
      });
      await client.validate({ licenseKey: key, client: who, nonce: nonce() });
      await client.validate({ licenseKey: UNKNOWN_KEY, client: who, nonce: nonce() });
      const codes: (Status | "OK")[] = [];
      for (let i = 0; i < 3; i++) {
        codes.push(
          await client.validate({ licenseKey: key, client: who, nonce: nonce() }).then(
            () => "OK" as const,
            (error: unknown) => (error as ClientError).code,
          ),
        );
      }
      expect(codes).toEqual(["OK", Status.RESOURCE_EXHAUSTED, Status.RESOURCE_EXHAUSTED]);
    } finally {
      channel.close();
    }

    // a session whose heartbeat is late and one whose heartbeats stopped (reaper not run yet)
    const handle = await openDatabase({ provider: "sqlite", url: join(dir, "license.db") });
    try {
      const now = Date.now();
      await handle.db.session.createMany({
        data: [
          {
            licenseId: license.id as string,
            fingerprint: "late",
            startedAt: new Date(now - 600_000),
            lastHeartbeatAt: new Date(now - 330_000),
            deadlineAt: new Date(now - 30_000),
          },
          {
            licenseId: license.id as string,
            fingerprint: "dead",
            startedAt: new Date(now - 9e6),
            lastHeartbeatAt: new Date(now - 9e6),
            deadlineAt: new Date(now - 8e6),
          },
        ],
      });
    } finally {
      await handle.close();
    }

    // the web app
    expect((await scrape(`${web}/metrics`, null)).status).toBe(401);
    expect((await scrape(`${web}/metrics`, "wrong-token-0123456789")).status).toBe(401);
    const w = await scrape(`${web}/metrics`);
    expect(w.status).toBe(200);
    expect(w.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const webText = w.text;
    expect(
      sample(webText, "license_server_http_requests_total", {
        route: "/api/v1/client/validate",
        method: "POST",
        status: "200",
      }),
    ).toBe(5);
    expect(
      sample(webText, "license_server_http_requests_total", {
        route: "/api/v1/client/validate",
        status: "429",
      }),
    ).toBe(1);
    expect(
      sample(webText, "license_server_http_requests_total", {
        route: "/api/v1/[...path]",
        method: "POST",
        status: "200",
      }),
    ).toBeGreaterThan(0);
    expect(
      sample(webText, "license_server_http_request_duration_seconds_count", {
        route: "/api/v1/client/validate",
      }),
    ).toBeGreaterThan(0);
    expect(sample(webText, "license_server_validations_total", { rpc: "Validate", status: "VALID" })).toBe(4);
    expect(
      sample(webText, "license_server_validations_total", { rpc: "Validate", status: "NOT_FOUND" }),
    ).toBe(1);
    expect(sample(webText, "license_server_rate_limited_total", { rpc: "Validate" })).toBe(1);

    // the sidecar
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    expect((await scrape(metricsUrl, null)).status).toBe(401);
    const g = await scrape(metricsUrl);
    expect(g.status).toBe(200);
    const grpcText = g.text;
    const service = "license.v1.LicenseService";
    expect(
      sample(grpcText, "license_server_grpc_requests_total", { service, method: "Validate", code: "OK" }),
    ).toBe(3);
    expect(
      sample(grpcText, "license_server_grpc_requests_total", {
        service,
        method: "Validate",
        code: "RESOURCE_EXHAUSTED",
      }),
    ).toBe(2);
    expect(
      sample(grpcText, "license_server_grpc_requests_total", { service, method: "Activate", code: "OK" }),
    ).toBe(1);
    expect(
      sample(grpcText, "license_server_grpc_request_duration_seconds_bucket", {
        method: "Heartbeat",
        le: "+Inf",
      }),
    ).toBe(1);
    expect(sample(grpcText, "license_server_validations_total", { rpc: "Activate", status: "VALID" })).toBe(
      1,
    );
    expect(
      sample(grpcText, "license_server_validations_total", { rpc: "Validate", status: "NOT_FOUND" }),
    ).toBe(1);
    expect(
      sample(grpcText, "license_server_licensing_responses_total", { rpc: "Heartbeat", status: "VALID" }),
    ).toBe(1);
    expect(sample(grpcText, "license_server_rate_limited_total", { rpc: "Validate" })).toBe(2);
    // the sidecar's webhook worker reports its attempts from the start (none here: no endpoints)
    for (const outcome of ["succeeded", "retrying", "failed"])
      expect(sample(grpcText, "license_server_webhook_deliveries_total", { outcome })).toBe(0);

    // the database's state, the same on both, and each process's own metrics
    for (const [text, component] of [
      [webText, "web"],
      [grpcText, "gateway"],
    ] as const) {
      expect(sample(text, "license_server_licenses", { status: "active" }), component).toBe(1);
      expect(sample(text, "license_server_licenses", { status: "suspended" }), component).toBe(1);
      expect(sample(text, "license_server_licenses_expiring", { within: "7d" }), component).toBe(1);
      expect(sample(text, "license_server_sessions_active"), component).toBe(2); // the activation + the late one
      expect(sample(text, "license_server_sessions_heartbeat_late"), component).toBe(1);
      expect(sample(text, "license_server_sessions_heartbeat_dead"), component).toBe(1);
      expect(sample(text, "license_server_webhook_queue_depth"), component).toBe(0);
      expect(sample(text, "license_server_webhook_oldest_pending_seconds"), component).toBe(0);
      expect(sample(text, "license_server_info", { component }), component).toBe(1);
      expect(sample(text, "process_cpu_user_seconds_total", { component }), component).toBeGreaterThan(0);
      expect(sample(text, "nodejs_heap_size_used_bytes"), component).toBeGreaterThan(0);
    }
  });
});
