// Cold start: `npm start` (the launcher, web app already built) on a fresh data directory until
// /api/health answers 200; then the RSS of the web app and the sidecar after some licensing load.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appRoot, launcherCommand, nextBuildState } from "../scripts/lib/launcher.ts";

export interface ColdStartFigures {
  coldStartMs: number;
  webRssMb: number;
  gatewayRssMb: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => {
        resolve(typeof a === "object" && a ? a.port : 0);
      });
    });
  });
}

/** RSS (MB) of the processes under `root` (any depth) whose command line mentions `needle`. */
function rssOf(rootPid: number, needle: string): number {
  const procs = new Map<number, { ppid: number; cmd: string; rssKb: number }>();
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      const stat = readFileSync(`/proc/${pid}/status`, "utf8");
      procs.set(Number(pid), {
        ppid: Number(/PPid:\s+(\d+)/.exec(stat)?.[1]),
        cmd,
        rssKb: Number(/VmRSS:\s+(\d+)/.exec(stat)?.[1] ?? 0),
      });
    } catch {
      // gone
    }
  }
  const under = (pid: number): boolean => {
    for (let p = pid, depth = 0; p > 1 && depth < 10; depth++) {
      if (p === rootPid) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  let total = 0;
  for (const [pid, proc] of procs) if (proc.cmd.includes(needle) && under(pid)) total += proc.rssKb / 1024;
  return total;
}

export async function benchColdStart(): Promise<ColdStartFigures> {
  // a cold start of a built app: build first when the sources changed since the last build
  if (nextBuildState() !== "fresh") {
    console.log("(building the web app first: npm run build)");
    execFileSync("npm", ["run", "build"], { cwd: appRoot, stdio: "ignore" });
  }
  const dir = mkdtempSync(join(tmpdir(), "ls-cold-"));
  const [port, grpcPort] = [await freePort(), await freePort()];
  const { command, args } = launcherCommand();
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: appRoot,
    env: {
      ...process.env,
      DATA_DIR: dir,
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      LOG_LEVEL: "warn",
    },
    stdio: "ignore",
  });
  let coldStartMs: number;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (response.status === 200) {
        coldStartMs = performance.now() - started;
        break;
      }
    } catch {
      // not yet
    }
    if (performance.now() - started > 120_000) throw new Error("the server did not start in 120 s");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  // some load on both: REST twin calls to the web app (refused: unknown key, but the full path)
  const body = JSON.stringify({
    licenseKey: "00000-00000-00000-00000-00000",
    client: { productCode: "p", fingerprint: "f" },
  });
  const until = performance.now() + 3000;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < until) {
        await (
          await fetch(`http://127.0.0.1:${port}/api/v1/client/validate`, { method: "POST", body })
        ).arrayBuffer();
      }
    }),
  );
  const launcherPid = child.pid ?? 0;
  const webRssMb = rssOf(launcherPid, "next");
  const gatewayRssMb = rssOf(launcherPid, "grpc-gateway");
  child.kill("SIGINT");
  await new Promise((resolve) => child.once("exit", resolve));
  rmSync(dir, { recursive: true, force: true });
  return { coldStartMs, webRssMb, gatewayRssMb };
}
