// Pieces of the launcher (scripts/start.ts) that tests and other scripts reuse: where things are,
// how the children are started, and how readiness is checked. No shell is involved anywhere.
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { get as httpGet } from "node:http";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Config } from "../../src/server/config.ts";

const require = createRequire(import.meta.url);

export const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const startScript = join(appRoot, "scripts", "start.ts");
export const gatewayScript = join(appRoot, "grpc-gateway", "main.ts");
export const nextBin = require.resolve("next/dist/bin/next");
export const tsxCli = join(dirname(require.resolve("tsx/package.json")), "dist", "cli.mjs");
const exitWithParent = pathToFileURL(join(appRoot, "scripts", "lib", "exit-with-parent.mjs")).href;
/** Stamps each request's socket address for the app (see src/server/client-address.ts). */
export const peerStamp = pathToFileURL(join(appRoot, "scripts", "lib", "peer-stamp.mjs")).href;
export const buildIdPath = join(appRoot, ".next", "BUILD_ID");

/** What the production build of the web app is made from (a change in them calls for a rebuild). */
const BUILD_INPUTS = ["src", "next.config.ts", "package.json"];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * "missing" without a build, "stale" when a source of the build changed after it (a `git pull`,
 * an edit, regenerated Prisma clients), else "fresh".
 */
export function nextBuildState(): "missing" | "stale" | "fresh" {
  if (!existsSync(buildIdPath)) return "missing";
  const builtAt = statSync(buildIdPath).mtimeMs;
  const changedAt = Math.max(...BUILD_INPUTS.map((input) => newestMtime(join(appRoot, input))));
  return changedAt > builtAt ? "stale" : "fresh";
}

/**
 * One `next build` at a time in this checkout: launchers started together (tests run several
 * files at once) would otherwise write the same .next directory concurrently. The lock is a file
 * holding the builder's pid; a lock whose process is gone is taken over.
 */
export const buildLockPath = join(appRoot, ".next-build.lock");

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tryTakeBuildLock(): boolean {
  try {
    const fd = openSync(buildLockPath, "wx");
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  let holder: number;
  try {
    holder = Number(readFileSync(buildLockPath, "utf8").trim());
  } catch {
    return false; // released meanwhile: try again
  }
  // an empty file is a lock being written this instant; only a dead holder's lock is stale
  if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) {
    try {
      unlinkSync(buildLockPath);
    } catch {
      // someone else removed it first
    }
  }
  return false;
}

export interface BuildLock {
  /** whether another process held the lock (and so may have built meanwhile) */
  waited: boolean;
  release: () => void;
}

/** Waits for the build lock (polling); rejects after `timeoutMs` or when `isAborted()` turns true. */
export async function acquireBuildLock(options: {
  timeoutMs: number;
  isAborted?: () => boolean;
  onWait?: () => void;
}): Promise<BuildLock> {
  const deadline = Date.now() + options.timeoutMs;
  let waited = false;
  while (!tryTakeBuildLock()) {
    if (!waited) options.onWait?.();
    waited = true;
    if (options.isAborted?.()) throw new Error("interrupted while waiting for another build");
    if (Date.now() > deadline) {
      throw new Error(`another next build held ${buildLockPath} for too long; remove it if no build runs`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    try {
      if (readFileSync(buildLockPath, "utf8").trim() === String(process.pid)) unlinkSync(buildLockPath);
    } catch {
      // already gone
    }
  };
  process.once("exit", release);
  return { waited, release };
}

/** `npm start` without npm: the command line tests use to run the real launcher. */
export function launcherCommand(args: string[] = []): { command: string; args: string[] } {
  return { command: process.execPath, args: [tsxCli, startScript, ...args] };
}

/**
 * The environment of the web app and the sidecar: the launcher's own, with paths made absolute
 * (the children agree on the data directory whatever their working directory) and without the
 * first admin's password, which only the launcher needs.
 */
export function childEnv(config: Config, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    ...env,
    NEXT_TELEMETRY_DISABLED: "1",
    DATA_DIR: config.dataDir,
    DATABASE_URL: config.database.provider === "sqlite" ? `file:${config.database.url}` : config.databaseUrl,
  };
  if (env.LICENSE_SERVER_CONFIG) out.LICENSE_SERVER_CONFIG = resolve(env.LICENSE_SERVER_CONFIG);
  // next-auth builds its callback URLs from this; behind a proxy, set it to the public URL
  out.NEXTAUTH_URL = env.NEXTAUTH_URL ?? `http://${connectHost(config.host)}:${config.port}`;
  delete out.LICENSE_SERVER_ADMIN_PASSWORD;
  return out;
}

export function spawnNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions = "inherit",
): ChildProcess {
  return spawn(process.execPath, args, { cwd: appRoot, env, stdio });
}

/** `next build`, resolving with its exit code. */
export function runNextBuild(env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<number> } {
  const child = spawnNode([nextBin, "build"], {
    ...env,
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production",
  });
  const done = new Promise<number>((resolveDone) => {
    child.once("error", () => {
      resolveDone(1);
    });
    child.once("exit", (code, signal) => {
      resolveDone(code ?? (signal ? 128 : 1));
    });
  });
  return { child, done };
}

export function spawnWeb(config: Config, env: NodeJS.ProcessEnv, dev: boolean): ChildProcess {
  // Next picks its React build by NODE_ENV: an inherited "test" or "development" must not leak in
  const webEnv: NodeJS.ProcessEnv = { ...env, NODE_ENV: dev ? "development" : "production" };
  return spawnNode(
    [
      "--import",
      exitWithParent,
      // the client addresses of limits and audit come from the socket: see peer-stamp.mjs
      "--import",
      peerStamp,
      nextBin,
      dev ? "dev" : "start",
      "-H",
      config.host,
      "-p",
      String(config.port),
    ],
    webEnv,
    ["inherit", "inherit", "inherit", "ipc"],
  );
}

/** The sidecar, with an IPC channel: it reports "ready" on it and stops when the launcher goes. */
export function spawnGateway(env: NodeJS.ProcessEnv): ChildProcess {
  return spawnNode(["--import", "tsx", gatewayScript], env, ["inherit", "inherit", "inherit", "ipc"]);
}

/** A host to connect to for a host to listen on (wildcards become loopback). */
export function connectHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

export function healthUrl(config: Pick<Config, "host" | "port">): string {
  return `http://${connectHost(config.host)}:${config.port}/api/health`;
}

/** Whether host:port can be listened on right now. */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once("error", () => {
      resolveFree(false);
    });
    server.listen({ host: host.replace(/^\[|\]$/g, ""), port, exclusive: true }, () => {
      server.close(() => {
        resolveFree(true);
      });
    });
  });
}

/** A port the OS considers free on 127.0.0.1 (for tests). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => {
        resolvePort(port);
      });
    });
  });
}

export interface HealthResult {
  status: number;
  body: unknown;
}

/**
 * One GET of the health endpoint; undefined when nothing answered. The connection is closed
 * after the answer: a kept-alive socket would hold up the web app's graceful stop.
 */
export function checkHealth(url: string, timeoutMs = 3000): Promise<HealthResult | undefined> {
  return new Promise((resolveResult) => {
    const request = httpGet(
      url,
      { agent: false, headers: { connection: "close" }, timeout: timeoutMs },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("error", () => {
          resolveResult(undefined);
        });
        response.on("end", () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolveResult({ status: response.statusCode ?? 0, body });
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", () => {
      resolveResult(undefined);
    });
  });
}

/**
 * Polls the health endpoint until it answers 200, `isAborted()` turns true, or the timeout passes.
 * Returns the last answer (undefined if nothing ever answered).
 */
export async function waitForHealthy(
  url: string,
  options: { timeoutMs: number; intervalMs?: number; isAborted?: () => boolean },
): Promise<HealthResult | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  let last: HealthResult | undefined;
  while (Date.now() < deadline && !options.isAborted?.()) {
    last = (await checkHealth(url)) ?? last;
    if (last?.status === 200) return last;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
  return last;
}
