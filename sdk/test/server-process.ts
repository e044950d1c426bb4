// A real license server for the SDK's tests: a data directory prepared like `npm start` does
// (migrations, first admin, signing key), licenses made through the domain, and the gRPC sidecar
// as a child process that a test can kill (SIGKILL: an outage) and start again on the same port.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareDatabase } from "../../src/server/bootstrap.ts";
import { loadConfig, type Config } from "../../src/server/config.ts";
import { systemActor, systemClock, type DomainContext } from "../../src/server/core/context.ts";
import { openDatabase, type DbHandle } from "../../src/server/db/client.ts";
import { createLogger } from "../../src/server/logger.ts";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === "object" && address ? address.port : 0);
      });
    });
  });
}

export class ServerProcess {
  readonly dir = mkdtempSync(join(tmpdir(), "ls-sdk-"));
  config!: Config;
  handle!: DbHandle;
  port = 0;
  private child: ChildProcess | null = null;
  output = "";

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Prepares the data directory and opens it for the test's own writes. */
  async prepare(): Promise<void> {
    this.port = await freePort();
    const env = { DATA_DIR: this.dir, GRPC_PORT: String(this.port), LOG_LEVEL: "warn" };
    this.config = loadConfig(env, { generateSecrets: true });
    await prepareDatabase(this.config, createLogger({ level: "silent" }));
    this.handle = await openDatabase(this.config.database);
  }

  ctx(): DomainContext {
    return {
      db: this.handle.db,
      provider: this.handle.provider,
      clock: systemClock,
      logger: createLogger({ level: "silent" }),
      actor: systemActor,
      ip: null,
      encryptionKey: this.config.encryptionKey,
    };
  }

  /** Starts the sidecar (`npm run gateway`) and waits until it listens. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, ["--import", "tsx", "grpc-gateway/main.ts"], {
      cwd: join(import.meta.dirname, "..", ".."),
      env: {
        ...process.env,
        DATA_DIR: this.dir,
        GRPC_PORT: String(this.port),
        LOG_LEVEL: "info",
        REAPER_INTERVAL_SECONDS: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`gateway did not start:\n${this.output}`));
      }, 60_000);
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        if (this.output.includes("gRPC gateway listening")) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`gateway exited (${code}):\n${this.output}`));
      });
    });
  }

  /** An outage: the process dies at once, without a goodbye. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.output = "";
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    this.child = null;
  }

  async close(): Promise<void> {
    await this.kill();
    await this.handle.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const fingerprint = () => `machine-${randomBytes(4).toString("hex")}`;

/**
 * The web app's API for the examples, in this process on a real loopback port: the admin API
 * over tRPC (/api/trpc) and the licensing REST twin (/api/v1/client/*), the same handlers the
 * Next route files call.
 */
export async function startHttpApi(server: ServerProcess): Promise<{ url: string; close(): Promise<void> }> {
  const { handleTrpcRequest } = await import("../../src/server/trpc/handlers.ts");
  const { handleClientRestRequest } = await import("../../src/server/licensing-api/rest.ts");
  const { createLicensingServices } = await import("../../src/server/licensing-api/licensing-services.ts");
  const { LoginLimiter } = await import("../../src/server/auth/rate-limit.ts");
  const logger = createLogger({ level: "silent" });
  const apiServices = {
    db: server.handle.db,
    provider: server.handle.provider,
    clock: systemClock,
    logger,
    jwtSecret: server.config.jwtSecret,
    encryptionKey: server.config.encryptionKey,
    limiter: new LoginLimiter(),
    directory: null,
  };
  const clientServices = createLicensingServices({
    database: server.handle,
    encryptionKey: server.config.encryptionKey,
    licensing: server.config.licensing,
    logger,
  });
  const http = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (typeof value === "string") headers.set(name, value);
        }
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        const request = new Request(url, { method: req.method, headers, body });
        const operation = /^\/api\/v1\/client\/([\w-]+)$/.exec(url.pathname)?.[1];
        const response = operation
          ? await handleClientRestRequest(request, clientServices, operation, "127.0.0.1")
          : await handleTrpcRequest(request, apiServices);
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await clientServices.close();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
