// What a server build records about itself in VERSION.json: the package's name and version, the
// commit and whether the checkout had uncommitted changes, when and with which Node and Next.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export interface VersionInfo {
  name: string;
  version: string;
  commit: string | null;
  dirty: boolean;
  builtAt: string;
  node: string;
  next: string | null;
}

function git(source: string, args: string[]): string | null {
  const result = spawnSync("git", args, { cwd: source, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

export function versionInfo(source: string): VersionInfo {
  const pkg = JSON.parse(readFileSync(join(source, "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
  let next: string | null;
  try {
    const require = createRequire(join(source, "package.json"));
    next = (JSON.parse(readFileSync(require.resolve("next/package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    next = null;
  }
  const status = git(source, ["status", "--porcelain", "--untracked-files=no"]);
  return {
    name: pkg.name,
    version: pkg.version,
    commit: git(source, ["rev-parse", "HEAD"]),
    dirty: status !== null && status !== "",
    builtAt: new Date().toISOString(),
    node: process.versions.node,
    next,
  };
}
