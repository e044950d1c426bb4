// The web app's part of a server build: `next build` with Next's standalone output (server.js and
// the node_modules it traced) into NEXT_DIST_DIR, never into the .next the repository uses.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { CliError } from "../run-program.ts";

/** Next builds here (relative to the source), never into the .next the repository uses. */
export const NEXT_DIST_DIR = ".release-build/next";

/** `next build` with the standalone output into NEXT_DIST_DIR; Next's edits of tsconfig.json and next-env.d.ts are undone. */
export async function nextBuild(source: string, onOutput: (text: string) => void): Promise<void> {
  const require = createRequire(join(source, "package.json"));
  let nextBin: string;
  try {
    nextBin = require.resolve("next/dist/bin/next");
  } catch {
    throw new CliError(`next is not installed in ${source}: run npm ci there first`);
  }
  // Next rewrites these two for the distDir it builds into; the repository's copies stay as they are
  const kept = ["tsconfig.json", "next-env.d.ts"]
    .map((file) => join(source, file))
    .filter((path) => existsSync(path))
    .map((path) => ({ path, text: readFileSync(path, "utf8") }));
  let output = "";
  try {
    const code = await new Promise<number>((resolveCode) => {
      const child = spawn(process.execPath, [nextBin, "build"], {
        cwd: source,
        env: {
          ...process.env,
          NODE_ENV: "production",
          NEXT_TELEMETRY_DISABLED: "1",
          LICENSE_SERVER_STANDALONE_DIST_DIR: NEXT_DIST_DIR,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const collect = (chunk: Buffer) => {
        const text = chunk.toString();
        output += text;
        onOutput(text);
      };
      child.stdout.on("data", collect);
      child.stderr.on("data", collect);
      child.once("error", () => {
        resolveCode(1);
      });
      child.once("exit", (c) => {
        resolveCode(c ?? 1);
      });
    });
    if (code !== 0) throw new CliError(`next build failed (exit code ${code}):\n${output.slice(-4000)}`);
  } finally {
    for (const { path, text } of kept) if (readFileSync(path, "utf8") !== text) writeFileSync(path, text);
  }
}
