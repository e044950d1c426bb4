// Runs the real launcher (`npm start` without npm) as a child process and watches its output.
import { spawn, type ChildProcess } from "node:child_process";
import { appRoot, launcherCommand } from "../../scripts/lib/launcher.ts";
import { ZConfigInput } from "../../src/server/config.ts";

/** The test runner's environment without anything that would configure the server. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const drop = new Set([...Object.keys(ZConfigInput.shape), "LICENSE_SERVER_CONFIG", "NODE_ENV"]);
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !drop.has(key)),
  ) as NodeJS.ProcessEnv;
}

export interface LogLine {
  name?: string;
  msg?: string;
  pid?: number;
  [key: string]: unknown;
}

export class LauncherProcess {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: (() => void)[] = [];

  constructor(env: NodeJS.ProcessEnv, args: string[] = []) {
    const { command, args: argv } = launcherCommand(args);
    // its own process group, so that cleanup can kill the launcher and everything it started
    this.child = spawn(command, argv, {
      cwd: appRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
      this.notify();
    });
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
      this.notify();
    });
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.notify();
        resolve({ code, signal });
      });
    });
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** The JSON log lines (pino) printed so far, by any of the processes. */
  logLines(): LogLine[] {
    return this.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as LogLine];
        } catch {
          return [];
        }
      });
  }

  /** Resolves with the first log line matching, or rejects on exit or timeout. */
  async waitForLog(match: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logLines().find(match);
      if (found) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `launcher exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.output()}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a log line:\n${this.output()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitForExit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`launcher did not exit within ${timeoutMs} ms:\n${this.output()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  output(): string {
    return `--- stdout ---\n${this.stdout.slice(-8000)}\n--- stderr ---\n${this.stderr.slice(-8000)}`;
  }

  /** Last resort after a failed test: kills the launcher's whole process group. */
  kill(): void {
    try {
      if (this.child.pid) process.kill(-this.child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
