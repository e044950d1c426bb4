// One server build at a time in a checkout (they share .release-build): a lock file holding the
// builder's process id.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { CliError } from "../run-program.ts";

const LOCK_WAIT_MS = 15 * 60_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One build at a time in a checkout (they share .release-build): waits for another build, takes
 * over the lock of a build whose process is gone.
 */
export async function takeBuildLock(
  path: string,
  onWaiting: (what: string) => void,
): Promise<{ release: () => void }> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      writeFileSync(path, String(process.pid), { flag: "wx" });
      return {
        release: () => {
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder: number;
    try {
      holder = Number(readFileSync(path, "utf8").trim());
    } catch {
      continue; // released meanwhile
    }
    if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new CliError(`another license-release build held ${path} for too long; remove it if none runs`);
    if (!told) onWaiting(`waiting for another build in this checkout (process ${holder})`);
    told = true;
    await new Promise((r) => setTimeout(r, 500));
  }
}
