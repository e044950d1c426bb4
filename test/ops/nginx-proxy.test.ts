// deployment/nginx/license-server.conf, run for real: Debian's nginx (apt-get install nginx) as an
// unprivileged-style instance (its own prefix, pid and logs in a temp dir, `daemon off`) with the
// file's ports, upstreams and certificate paths replaced, in front of the real gRPC sidecar and a
// plain HTTP backend standing in for the web app. Checks: `nginx -t` accepts it; a gRPC call and
// an HTTPS request pass through TLS; the backend sees the client's address in X-Forwarded-For
// (a forged one is replaced), X-Forwarded-Proto https and the Host; oversized bodies stop at the
// proxy; plaintext is redirected (web) or refused (gRPC). Without nginx the suite is skipped with
// a message, except under CI=true, where it fails.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, get as httpGet, type IncomingHttpHeaders, type Server } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as netConnect } from "node:net";
import { join } from "node:path";
import { ChannelCredentials } from "@grpc/grpc-js";
import { ClientError, createChannel, createClient, Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeFile } from "../../release-cli/src/lib/docker-files.ts";
import { freePort } from "../../sdk/test/server-process.ts";
import {
  GetPublicKeysResponse,
  LicenseServiceDefinition,
} from "../../src/generated/proto/license/v1/license.ts";
import { openTestDb, type TestDb } from "../support/db.ts";
import { startLicensingServer, type LicensingServer } from "../support/licensing.ts";
import { missingTools, toolPath } from "../support/system-tools.ts";
import { TestPki, type Pem } from "../support/tls.ts";
import { maybeSet } from "../support/maybe-set.ts";

const CONF = join(import.meta.dirname, "..", "..", "deployment", "nginx", "license-server.conf");

// skipped without nginx: global setup says so once (under CI=true it fails the run; .ci/run installs nginx)
const nginxMissing = missingTools("nginx", "openssl");

interface Ports {
  http: number;
  https: number;
  grpcs: number;
  web: number;
  grpc: number;
}

/** The deployment file with this test's ports and paths; each replaced line must exist once. */
function render(ports: Ports, pem: Pem): string {
  let text = readFileSync(CONF, "utf8");
  const replacements: [string, string][] = [
    ["server app:3000;", `server 127.0.0.1:${ports.web};`],
    ["server gateway:50051;", `server 127.0.0.1:${ports.grpc};`],
    ["listen 80;", `listen 127.0.0.1:${ports.http};`],
    ["listen 443 ssl http2;", `listen 127.0.0.1:${ports.https} ssl http2;`],
    ["listen 50443 ssl http2;", `listen 127.0.0.1:${ports.grpcs} ssl http2;`],
    ["ssl_certificate /etc/nginx/tls/server.crt;", `ssl_certificate ${pem.certFile};`],
    ["ssl_certificate_key /etc/nginx/tls/server.key;", `ssl_certificate_key ${pem.keyFile};`],
  ];
  for (const [from, to] of replacements) {
    expect(text.split(from).length - 1, `${from} in ${CONF}`).toBe(1);
    text = text.replace(from, to);
  }
  return text;
}

/** A main nginx.conf around the deployment file: everything nginx writes stays in `dir`. */
function mainConf(dir: string): string {
  const temp = (name: string) => join(dir, "temp", name);
  return `worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} info;
events { worker_connections 64; }
http {
  access_log ${join(dir, "access.log")};
  client_body_temp_path ${temp("body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};
  include ${join(dir, "license-server.conf")};
}
`;
}

function https(
  port: number,
  ca: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        servername: "localhost",
        port,
        ca,
        method: options.method ?? "GET",
        path: options.path ?? "/",
        headers: { host: "licenses.example.test", ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

async function waitForPort(port: number, until = Date.now() + 15_000): Promise<void> {
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = netConnect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => {
        resolve(false);
      });
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(nginxMissing)("nginx in front of the web app and the gRPC sidecar (deployment/nginx)", () => {
  let db: TestDb;
  let pki: TestPki;
  let ca: Pem;
  let sidecar: LicensingServer;
  let backend: Server;
  let nginx: ChildProcess | undefined;
  let nginxOutput = "";
  let ports: Ports;
  let dir: string;
  /** what the stand-in web app received */
  const seen: { method: string; url: string; headers: IncomingHttpHeaders; bytes: number }[] = [];

  beforeAll(async () => {
    db = await openTestDb("sqlite");
    pki = new TestPki();
    ca = pki.ca("proxy");
    const pem = pki.issue(ca, "proxy-server");
    sidecar = await startLicensingServer(db);
    backend = createServer((req, res) => {
      let bytes = 0;
      req.on("data", (chunk: Buffer) => (bytes += chunk.length));
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, bytes });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: true, bytes }));
      });
    });
    await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
    const address = backend.address();
    ports = {
      http: await freePort(),
      https: await freePort(),
      grpcs: await freePort(),
      web: typeof address === "object" && address ? address.port : 0,
      grpc: sidecar.gateway.port,
    };

    dir = join(pki.dir, "nginx");
    mkdirSync(join(dir, "temp"), { recursive: true });
    // nginx started as root runs its workers as nobody: they must reach the temp paths
    chmodSync(pki.dir, 0o755);
    chmodSync(dir, 0o755);
    chmodSync(join(dir, "temp"), 0o777);
    writeFileSync(join(dir, "license-server.conf"), render(ports, pem));
    writeFileSync(join(dir, "nginx.conf"), mainConf(dir));
    const args = [
      "-p",
      dir,
      "-c",
      join(dir, "nginx.conf"),
      "-e",
      join(dir, "error.log"),
      "-g",
      "daemon off;",
    ];

    const nginxBinary = toolPath("nginx");
    const check = spawnSync(nginxBinary, ["-t", ...args], { encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stderr).toContain("syntax is ok");

    nginx = spawn(nginxBinary, args, { stdio: ["ignore", "pipe", "pipe"] });
    nginx.stdout?.on("data", (c: Buffer) => (nginxOutput += c.toString()));
    nginx.stderr?.on("data", (c: Buffer) => (nginxOutput += c.toString()));
    await Promise.all([waitForPort(ports.https), waitForPort(ports.grpcs), waitForPort(ports.http)]);
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx?.once("exit", resolve));
      nginx.kill("SIGQUIT");
      await exited;
    }
    // (beforeAll may have failed half-way: close what it opened)
    await maybeSet(sidecar)?.close();
    const server = maybeSet(backend);
    if (server) await new Promise((resolve) => server.close(resolve));
    await maybeSet(db)?.close();
    maybeSet(pki)?.remove();
  });

  it("a gRPC call passes through TLS to the sidecar (grpc_pass over HTTP/2)", async () => {
    const channel = createChannel(
      `127.0.0.1:${ports.grpcs}`,
      ChannelCredentials.createSsl(Buffer.from(ca.cert)),
      {
        "grpc.ssl_target_name_override": "localhost",
      },
    );
    try {
      const client = createClient(LicenseServiceDefinition, channel);
      const signed = await client.getPublicKeys({ nonce: randomBytes(16) });
      expect(GetPublicKeysResponse.decode(signed.answer).keys.length).toBeGreaterThan(0);
    } finally {
      channel.close();
    }
    // plaintext to the TLS port reaches nothing
    const plain = createClient(LicenseServiceDefinition, createChannel(`127.0.0.1:${ports.grpcs}`));
    const error = await plain.getPublicKeys({ nonce: randomBytes(16) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ClientError);
    expect(Status[(error as ClientError).code]).toBe("UNAVAILABLE");
  });

  it("HTTPS reaches the web app with the client's address in X-Forwarded-For (a forged one replaced)", async () => {
    seen.length = 0;
    const body = JSON.stringify({ hello: "world" });
    const answer = await https(ports.https, ca.cert, {
      method: "POST",
      path: "/api/v1/client/validate?x=1",
      headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.66" },
      body,
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, bytes: body.length });
    expect(answer.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.url).toBe("/api/v1/client/validate?x=1");
    expect(request?.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(request?.headers["x-forwarded-proto"]).toBe("https");
    expect(request?.headers.host).toBe("licenses.example.test");
  });

  it("a body over client_max_body_size stops at the proxy (413)", async () => {
    seen.length = 0;
    const limit = /client_max_body_size (\d+)m;/.exec(readFileSync(CONF, "utf8"))?.[1];
    expect(limit).toBeDefined();
    const tooBig = Buffer.alloc(Number(limit) * 1024 * 1024 + 1, "a");
    const answer = await https(ports.https, ca.cert, { method: "POST", path: "/api/v1/x", body: tooBig });
    expect(answer.status).toBe(413);
    expect(seen).toHaveLength(0);
    // just under the limit passes
    const fits = await https(ports.https, ca.cert, {
      method: "POST",
      path: "/api/v1/x",
      body: tooBig.subarray(1),
    });
    expect(fits.status).toBe(200);
    expect(seen[0]?.bytes).toBe(tooBig.length - 1);
  });

  it("plain HTTP is redirected to HTTPS, and nginx logged no errors", async () => {
    const answer = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      httpGet(
        {
          host: "127.0.0.1",
          port: ports.http,
          path: "/sign-in?next=%2F",
          headers: { host: "licenses.example.test" },
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, location: res.headers.location });
        },
      ).on("error", reject);
    });
    expect(answer.status).toBe(301);
    expect(answer.location).toBe("https://licenses.example.test/sign-in?next=%2F");
    const log = readFileSync(join(dir, "error.log"), "utf8");
    expect(log).not.toMatch(/\[(emerg|alert|crit)\]/);
    expect(nginx?.exitCode, nginxOutput).toBeNull();
  });
});

describe("deployment/compose.yaml", () => {
  const compose = readFileSync(join(import.meta.dirname, "..", "..", "deployment", "compose.yaml"), "utf8");

  /** service name -> the port mappings it publishes (flow-style `ports: [...]` lines) */
  function publishedPorts(): Map<string, string[]> {
    const ports = new Map<string, string[]>();
    let service = "";
    let inServices = false;
    for (const line of compose.split("\n")) {
      if (/^\S/.test(line)) inServices = line.startsWith("services:");
      const name = /^ {2}([\w-]+):$/.exec(line)?.[1];
      if (inServices && name) service = name;
      const list = /^ {4}ports: \[(.*)\]$/.exec(line)?.[1];
      if (inServices && list !== undefined) {
        ports.set(
          service,
          [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? ""),
        );
      }
    }
    return ports;
  }

  it("publishes plaintext ports on 127.0.0.1 only; the public ports are the TLS proxy's", () => {
    const ports = publishedPorts();
    expect([...ports.keys()].sort()).toEqual(["app", "gateway", "grafana", "prometheus", "proxy"]);
    // no other way of publishing ports (block-style lists) slipped past the parser above
    expect(compose.match(/^\s+ports:/gm)).toHaveLength(ports.size);
    for (const [service, mappings] of ports) {
      if (service === "proxy") continue;
      for (const mapping of mappings)
        expect(mapping, `${service} ${mapping}`).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
    expect(ports.get("proxy")).toEqual(["80:80", "443:443", "50443:50443"]);
    // the proxy serves the tested file, and the servers behind it believe its X-Forwarded-For
    expect(compose).toContain("./nginx/license-server.conf:/etc/nginx/conf.d/default.conf:ro");
    expect(compose).toMatch(/TRUST_PROXY: \$\{TRUST_PROXY:-1\}/);
    expect(compose).toMatch(/NEXTAUTH_URL: \$\{PUBLIC_URL:-https:\/\/localhost\}/);
    const conf = readFileSync(CONF, "utf8");
    expect(conf).toContain("server app:3000;");
    expect(conf).toContain("server gateway:50051;");
  });

  it("the release CLI's compose file for a server build publishes on 127.0.0.1 only", () => {
    const built = composeFile("9.9.9");
    const mappings = [...built.matchAll(/^ {4}ports: \[(.*)\]$/gm)].flatMap((m) =>
      [...(m[1] ?? "").matchAll(/"([^"]+)"/g)].map((p) => p[1] ?? ""),
    );
    expect(mappings).toEqual(["127.0.0.1:3000:3000", "127.0.0.1:50051:50051", "127.0.0.1:9090:9090"]);
    expect(built.match(/^\s+ports:/gm)).toHaveLength(mappings.length);
  });
});
