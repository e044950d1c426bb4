// The launcher of a built server (`license-release build`; `node bin/start.mjs` in its folder):
// what `npm start` does, for Next's standalone output and the bundled sidecar, without npm, tsx or
// a build step. Configuration, first run (secrets, migrations, the first admin, the signing key),
// then the web app (server.js) and the sidecar (bin/gateway.mjs) until a signal; when one of them
// dies the other is stopped and the launcher exits non-zero. `--only web` / `--only gateway` runs
// one of them (containers: one process each; the first-run steps are safe to run in both).
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { generatedPasswordNotice, prepareDatabase, StartupError } from "../src/server/bootstrap.ts";
import { ConfigError, loadConfig, type Config } from "../src/server/config.ts";
import { errorSummary } from "../src/server/error-summary.ts";
import { createLogger } from "../src/server/logger.ts";

// the bundle rewrites import.meta.url so that this file sits at <build>/scripts/start-dist.ts
const buildRoot = fileURLToPath(new URL("..", import.meta.url));
const STOP_TIMEOUT_MS = 20_000;
const READY_TIMEOUT_MS = 60_000;

function fail(message: string): never {
  process.stderr.write(`start: ${message}\n`);
  process.exit(1);
}

async function waitForHealth(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { headers: { connection: "close" } });
      if (response.status === 200) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function connectHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

async function main(): Promise<void> {
  let only: string | undefined;
  try {
    only = parseArgs({ options: { only: { type: "string" } } }).values.only;
  } catch (error) {
    fail(`${errorSummary(error)}\nusage: node bin/start.mjs [--only web|gateway]`);
  }
  if (only !== undefined && only !== "web" && only !== "gateway") fail("--only takes web or gateway");
  let config: Config;
  try {
    config = loadConfig(process.env, { generateSecrets: true });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, name: "launcher" });
  try {
    const { seed } = await prepareDatabase(config, logger);
    if (seed.generatedPassword && seed.adminEmail)
      process.stdout.write(generatedPasswordNotice(seed.adminEmail, seed.generatedPassword));
  } catch (error) {
    if (error instanceof StartupError) fail(error.message);
    throw error;
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATA_DIR: config.dataDir,
    DATABASE_URL: config.database.provider === "sqlite" ? `file:${config.database.url}` : config.databaseUrl,
    // Next's standalone server listens on HOSTNAME:PORT
    HOSTNAME: config.host,
    PORT: String(config.port),
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://${connectHost(config.host)}:${config.port}`,
  };
  delete env.LICENSE_SERVER_ADMIN_PASSWORD;

  const children = new Map<string, ChildProcess>();
  let stopping: { code: number } | undefined;
  const stopAll = (signal: NodeJS.Signals, code: number) => {
    if (stopping) return;
    stopping = { code };
    for (const child of children.values()) child.kill(signal);
    setTimeout(() => {
      for (const child of children.values()) child.kill("SIGKILL");
    }, STOP_TIMEOUT_MS).unref();
    if (children.size === 0) process.exit(code);
  };
  const start = (name: string, args: string[]) => {
    const child = spawn(process.execPath, args, { cwd: buildRoot, env, stdio: "inherit" });
    children.set(name, child);
    child.once("exit", (code, signal) => {
      children.delete(name);
      if (!stopping) {
        logger.error({ child: name, code, signal }, `${name} exited unexpectedly; stopping the others`);
        stopAll("SIGTERM", 1);
      } else if (children.size === 0) {
        logger.info("stopped");
        process.exit(stopping.code);
      }
    });
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      logger.info({ signal }, "stopping");
      stopAll(signal, 0);
    });
  }
  // SIGHUP must not stop the launcher (its default): the sidecar re-reads its TLS certificates
  process.on("SIGHUP", () => {
    children.get("gateway")?.kill("SIGHUP");
  });
  // the client addresses of limits and audit come from the socket (scripts/lib/peer-stamp.mjs,
  // bundled as bin/peer-stamp.mjs; see src/server/client-address.ts)
  const peerStamp = pathToFileURL(join(buildRoot, "bin", "peer-stamp.mjs")).href;
  if (only !== "gateway") start("web", ["--import", peerStamp, "server.js"]);
  if (only !== "web") start("gateway", ["bin/gateway.mjs"]);
  if (only === "gateway") return;

  const health = `http://${connectHost(config.host)}:${config.port}/api/health`;
  if (!(await waitForHealth(health, READY_TIMEOUT_MS))) {
    if (stopping) return;
    logger.error({ url: health }, "the web app did not report healthy in time; stopping");
    stopAll("SIGTERM", 1);
    return;
  }
  logger.info(
    {
      web: `http://${connectHost(config.host)}:${config.port}`,
      grpc: `${config.grpcHost}:${config.grpcPort}`,
    },
    "ready",
  );
}

main().catch((error: unknown) => {
  fail(errorSummary(error));
});
