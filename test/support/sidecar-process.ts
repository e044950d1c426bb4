// The real gRPC sidecar (grpc-gateway/main.ts, as `npm run gateway` runs it) as a child process on a
// test database, with its background jobs (the webhook worker among them): for tests of what
// happens when the process is killed (SIGKILL) or runs twice. Every process started here is killed
// by `killAll` (call it in afterEach/afterAll) and, as a last resort, when the test process exits.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/launcher.ts";
import { cleanEnv } from "../app/launcher-process.ts";
import type { TestDb } from "./db.ts";

const appRoot = join(import.meta.dirname, "..", "..");
const READY_MESSAGE = "gRPC gateway listening";

const running = new Set<SidecarProcess>();
process.once("exit", () => {
  // the test process is going away without its hooks (a crash, a timeout): leave nothing behind
  for (const sidecar of running) sidecar.child.kill("SIGKILL");
});

export interface SidecarOptions {
  /** settings on top of the database's (DATABASE_URL, ENCRYPTION_KEY) and the test defaults */
  env?: Record<string, string>;
  /** serve /metrics on a free port (GRPC_METRICS_PORT) */
  metrics?: boolean;
  startTimeoutMs?: number;
}

export class SidecarProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** the sidecar's /metrics port, or 0 */
  metricsPort = 0;
  private output = "";
  private readonly dataDir: string;

  private constructor(child: ChildProcess, dataDir: string) {
    this.child = child;
    this.dataDir = dataDir;
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-200_000);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        running.delete(this);
        rmSync(this.dataDir, { recursive: true, force: true });
        resolve({ code, signal });
      });
    });
  }

  /**
   * Starts a sidecar on `db` (the endpoints' secrets open with the same ENCRYPTION_KEY as the
   * test's context) and resolves once it listens.
   */
  static async start(db: TestDb, options: SidecarOptions = {}): Promise<SidecarProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), "ls-sidecar-"));
    const metricsPort = options.metrics ? await freePort() : 0;
    const env: NodeJS.ProcessEnv = {
      ...cleanEnv(),
      DATA_DIR: dataDir,
      DATABASE_URL: db.provider === "sqlite" ? `file:${db.target.url}` : db.target.url,
      ENCRYPTION_KEY: db.ctx().encryptionKey.toString("hex"),
      JWT_SECRET: randomBytes(32).toString("hex"),
      GRPC_PORT: String(await freePort()),
      GRPC_METRICS_PORT: String(metricsPort),
      REAPER_INTERVAL_SECONDS: "0",
      LOG_LEVEL: "info",
      ...options.env,
    };
    const child = spawn(process.execPath, ["--import", "tsx", "grpc-gateway/main.ts"], {
      cwd: appRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const sidecar = new SidecarProcess(child, dataDir);
    running.add(sidecar);
    try {
      await sidecar.waitForOutput(READY_MESSAGE, options.startTimeoutMs ?? 60_000);
    } catch (error) {
      await sidecar.kill();
      throw error;
    }
    sidecar.metricsPort = metricsPort;
    return sidecar;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What it printed (the last 200 000 characters). */
  log(): string {
    return this.output;
  }

  async waitForOutput(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (!this.alive) throw new Error(`the sidecar exited before "${text}":\n${this.output}`);
      if (Date.now() > deadline)
        throw new Error(`no "${text}" from the sidecar within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Kills it (default SIGKILL: no goodbye, nothing recorded) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.alive) this.child.kill(signal);
    await this.exited;
  }

  /** SIGTERM (it finishes what it is sending), SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.alive) this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A sample of its /metrics: the sum of the series `name` whose labels include `labels` (its own
   * labels, such as component="gateway", need not be named); 0 when there is none.
   */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    if (!this.metricsPort) throw new Error("started without metrics");
    const response = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
    const text = await response.text();
    const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
    let sum = 0;
    for (const line of text.split("\n")) {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const got = new Set((match[2] ?? "").split(",").filter(Boolean));
      if (wanted.every((label) => got.has(label))) sum += Number(match[3]);
    }
    return sum;
  }

  /** Kills every sidecar still running (afterEach/afterAll, also after a failed test). */
  static async killAll(): Promise<void> {
    await Promise.all([...running].map((sidecar) => sidecar.kill()));
  }
}
