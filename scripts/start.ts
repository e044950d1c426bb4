// `npm start` (and `npm run dev` with --dev): prepares what is missing, then runs the web app
// (Next.js) and the gRPC sidecar side by side until Ctrl-C.
//
//   1. configuration (missing secrets are generated into DATA_DIR once)
//   2. the data directory, migrations, the first super admin (a generated password is printed once)
//   3. the generated Prisma clients and the production build of the web app, if missing
//      (--rebuild forces the build)
//   4. `next start` (or `next dev`) and the sidecar as child processes; "ready" once both answer
//
// Signals are forwarded to both children; if one of them dies, the other is stopped and the
// launcher exits non-zero.
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, type Config } from "../src/server/config.ts";
import { errorSummary } from "../src/server/error-summary.ts";
import { createLogger, type Logger } from "../src/server/logger.ts";
import {
  acquireBuildLock,
  appRoot,
  childEnv,
  connectHost,
  healthUrl,
  nextBuildState,
  portIsFree,
  runNextBuild,
  spawnGateway,
  spawnNode,
  spawnWeb,
  waitForHealthy,
} from "./lib/launcher.ts";

const WEB_READY_TIMEOUT_MS = 120_000;
const WEB_READY_TIMEOUT_DEV_MS = 300_000;
const GATEWAY_READY_TIMEOUT_MS = 60_000;
/** How long to wait for another launcher's build of this checkout. */
const BUILD_LOCK_TIMEOUT_MS = 600_000;
/** After this, children that ignored the stop signal are killed. */
const STOP_TIMEOUT_MS = 20_000;

const USAGE = `Usage: npm start [-- --rebuild]   |   npm run dev

Prepares the data directory and the database, builds the web app if needed, then serves the web
app on HOST:PORT (default 127.0.0.1:3000) and the gRPC sidecar on GRPC_HOST:GRPC_PORT
(default 127.0.0.1:50051).

  --dev       run the web app with \`next dev\` (no build)
  --rebuild   run \`next build\` even when a build exists
`;

function fail(message: string): never {
  process.stderr.write(`start: ${message}\n`);
  process.exit(1);
}

interface Stop {
  exitCode: number;
}

class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stop: Stop | undefined;
  private started = false;

  constructor(private readonly logger: Logger) {}

  /** whether the web app and the sidecar were started */
  get running(): boolean {
    return this.started;
  }

  get stopping(): boolean {
    return this.stop !== undefined;
  }

  /** Watches a long-running child: its exit before we asked for it stops everything. */
  track(name: string, child: ChildProcess): void {
    this.started = true;
    this.children.set(name, child);
    const gone = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      if (!this.children.delete(name)) return;
      if (!this.stop) {
        this.logger.error(
          { child: name, code, signal, error: error?.message },
          `${name} exited unexpectedly; stopping the others`,
        );
        this.stopAll("SIGTERM", 1);
      } else {
        this.logger.info({ child: name, code, signal }, `${name} stopped`);
        this.finishIfDone();
      }
    };
    child.once("exit", (code, signal) => {
      gone(code, signal);
    });
    child.once("error", (error) => {
      gone(null, null, error);
    });
  }

  /** Sends `signal` to every child, then exits with `exitCode` once they are all gone. */
  stopAll(signal: NodeJS.Signals, exitCode: number): void {
    if (this.stop) return;
    this.stop = { exitCode };
    if (!this.started) process.exit(exitCode);
    for (const child of this.children.values()) child.kill(signal);
    setTimeout(() => {
      for (const [name, child] of this.children) {
        this.logger.warn({ child: name }, `${name} did not stop in time; killing it`);
        child.kill("SIGKILL");
      }
    }, STOP_TIMEOUT_MS).unref();
    this.finishIfDone();
  }

  /** Passes a signal on to one child (SIGHUP: the sidecar re-reads its TLS certificates). */
  signal(name: string, signal: NodeJS.Signals): void {
    this.children.get(name)?.kill(signal);
  }

  /** Last resort when the launcher itself exits: children must not outlive it. */
  killAll(): void {
    for (const child of this.children.values()) child.kill("SIGTERM");
  }

  private finishIfDone(): void {
    if (this.stop && this.children.size === 0) {
      this.logger.info("stopped");
      process.exit(this.stop.exitCode);
    }
  }
}

function waitForGatewayReady(child: ChildProcess, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(undefined);
    }, timeoutMs);
    const done = (address: string | undefined) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve(address);
    };
    const onMessage = (message: unknown) => {
      if (
        typeof message === "object" &&
        message !== null &&
        (message as { type?: unknown }).type === "ready"
      ) {
        done(String((message as { address?: unknown }).address));
      }
    };
    child.on("message", onMessage);
    child.once("exit", () => {
      done(undefined);
    });
  });
}

/** The generated Prisma clients (normally made by `npm ci`'s postinstall). */
async function ensureGeneratedClients(logger: Logger): Promise<void> {
  const generated = ["sqlite", "postgresql"].every((provider) =>
    existsSync(join(appRoot, "src", "generated", `prisma-${provider}`, "client.ts")),
  );
  if (generated) return;
  logger.info("generating the Prisma clients");
  const child = spawnNode([join(appRoot, "scripts", "generate.mjs")], process.env);
  const code = await new Promise<number>((resolve) => {
    child.once("exit", (c) => {
      resolve(c ?? 1);
    });
    child.once("error", () => {
      resolve(1);
    });
  });
  if (code !== 0) fail(`generating the Prisma clients failed (exit code ${code}); run npm run generate`);
}

async function main(): Promise<void> {
  let options: { dev?: boolean; rebuild?: boolean; help?: boolean };
  try {
    options = parseArgs({
      options: {
        dev: { type: "boolean" },
        rebuild: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail(`${errorSummary(error)}\n\n${USAGE}`);
  }
  if (options.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const dev = options.dev === true;

  let config: Config;
  try {
    config = loadConfig(process.env, { generateSecrets: true });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, name: "launcher" });
  const supervisor = new Supervisor(logger);

  // set by the signal handler, read after awaits
  const phase: { build?: ChildProcess; interrupted: boolean } = { interrupted: false };
  const onSignal = (signal: NodeJS.Signals) => {
    if (supervisor.stopping || phase.interrupted) return; // a terminal's Ctrl-C may reach us twice
    logger.info({ signal }, "stopping");
    if (phase.build) {
      phase.interrupted = true;
      phase.build.kill(signal);
      return;
    }
    // before the children run there is nothing to stop: leave as an interrupted command does;
    // once they run, a requested stop is a clean exit.
    supervisor.stopAll(signal, supervisor.running ? 0 : 130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // SIGHUP must not stop the launcher (its default): the sidecar re-reads its TLS certificates
  process.on("SIGHUP", () => {
    supervisor.signal("gateway", "SIGHUP");
  });
  process.on("exit", () => {
    supervisor.killAll();
  });
  const interruptedExit = () => process.exit(130);

  if (config.host === config.grpcHost && config.port === config.grpcPort) {
    fail(`PORT and GRPC_PORT are both ${config.port}: the web app and the gRPC sidecar need their own ports`);
  }
  for (const [setting, host, port] of [
    ["PORT", config.host, config.port],
    ["GRPC_PORT", config.grpcHost, config.grpcPort],
  ] as const) {
    if (!(await portIsFree(host, port))) {
      fail(
        `${setting}: port ${port} on ${host} is already in use (another instance running?); choose another ${setting}`,
      );
    }
  }

  await ensureGeneratedClients(logger);
  // imported late: it needs the generated clients
  const { StartupError, generatedPasswordNotice, prepareDatabase } =
    await import("../src/server/bootstrap.ts");
  try {
    const { seed } = await prepareDatabase(config, logger);
    if (seed.generatedPassword && seed.adminEmail) {
      process.stdout.write(generatedPasswordNotice(seed.adminEmail, seed.generatedPassword));
    }
  } catch (error) {
    if (error instanceof StartupError) fail(error.message);
    throw error;
  }

  const env = childEnv(config);
  if (!dev && (options.rebuild || nextBuildState() !== "fresh")) {
    // one build at a time: another launcher may be building this checkout right now
    const lock = await acquireBuildLock({
      timeoutMs: BUILD_LOCK_TIMEOUT_MS,
      isAborted: () => phase.interrupted || supervisor.stopping,
      onWait: () => {
        logger.info("another next build is running in this checkout; waiting for it");
      },
    }).catch((error: unknown) => {
      if (phase.interrupted || supervisor.stopping) interruptedExit();
      fail(errorSummary(error));
    });
    try {
      const buildState = nextBuildState();
      // a build made while we waited is as good as ours, even for --rebuild
      if (buildState !== "fresh" || (options.rebuild && !lock.waited)) {
        const why = {
          missing: "no build of the web app yet",
          stale: "the web app changed since its last build",
          fresh: "--rebuild",
        }[buildState];
        logger.info(`${why}: running next build`);
        const started = Date.now();
        const run = runNextBuild(env);
        phase.build = run.child;
        const code = await run.done;
        phase.build = undefined;
        if (phase.interrupted) interruptedExit();
        if (code !== 0) fail(`next build failed (exit code ${code})`);
        logger.info({ ms: Date.now() - started }, "web app built");
      }
    } finally {
      lock.release();
    }
  }

  const web = spawnWeb(config, env, dev);
  supervisor.track("web", web);
  const gateway = spawnGateway(env);
  supervisor.track("gateway", gateway);

  const url = healthUrl(config);
  const [health, grpcAddress] = await Promise.all([
    waitForHealthy(url, {
      timeoutMs: dev ? WEB_READY_TIMEOUT_DEV_MS : WEB_READY_TIMEOUT_MS,
      isAborted: () => supervisor.stopping,
    }),
    waitForGatewayReady(gateway, GATEWAY_READY_TIMEOUT_MS),
  ]);
  if (supervisor.stopping) return;
  if (health?.status !== 200) {
    logger.error({ url, last: health }, "the web app did not report healthy in time; stopping");
    supervisor.stopAll("SIGTERM", 1);
    return;
  }
  if (!grpcAddress) {
    logger.error("the gRPC sidecar did not start in time; stopping");
    supervisor.stopAll("SIGTERM", 1);
    return;
  }
  logger.info(
    {
      web: `http://${connectHost(config.host)}:${config.port}`,
      grpc: grpcAddress,
      mode: dev ? "dev" : "production",
      pids: { web: web.pid, gateway: gateway.pid },
    },
    "ready",
  );
}

main().catch((error: unknown) => {
  fail(errorSummary(error));
});
