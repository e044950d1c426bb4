// Cold start: `npm start` (the launcher, web app already built) on a fresh data directory until
// /api/health answers 200; then the RSS of the web app and the sidecar after some licensing load.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appRoot, buildIdPath, launcherCommand } from "../scripts/lib/launcher.ts";

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

/** RSS (MB) of the processes whose command line mentions `needle`, children of `root`. */
function rssOf(rootPid: number, needle: string): number {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      const stat = readFileSync(`/proc/${pid}/status`, "utf8");
      const ppid = Number(/PPid:\s+(\d+)/.exec(stat)?.[1]);
      if (!cmd.includes(needle) || (ppid !== rootPid && Number(pid) !== rootPid)) continue;
      total += Number(/VmRSS:\s+(\d+)/.exec(stat)?.[1] ?? 0) / 1024;
    } catch {
      // gone
    }
  }
  return total;
}

export async function benchColdStart(): Promise<ColdStartFigures | null> {
  try {
    readFileSync(buildIdPath);
  } catch {
    return null; // not built: `npm run build` (or one `npm start`) first
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
