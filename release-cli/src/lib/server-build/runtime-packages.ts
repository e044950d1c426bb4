// The packages the build's bundles load from node_modules at run time, copied with everything they
// depend on as installed, minus the files the server never loads.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** Packages the bundles load from node_modules at run time: native code, wasm, worker files. */
export const EXTERNAL_PACKAGES = [
  "better-sqlite3",
  "pg",
  "pino",
  "prom-client",
  "@prisma/client",
  "@prisma/adapter-better-sqlite3",
  "@prisma/adapter-pg",
  "@prisma/driver-adapter-utils",
  "@prisma/schema-engine-wasm",
];

/**
 * Files of the runtime packages that the server never loads: Prisma's query compilers for other
 * databases and source maps, better-sqlite3's C sources and object files (its .node stays).
 */
const DEAD_WEIGHT: [folder: string, name: RegExp][] = [
  ["@prisma/client/runtime", /(mysql|sqlserver|cockroachdb)|\.map$/],
  ["better-sqlite3", /^(deps|src)$/],
  ["better-sqlite3/build", /^deps$/],
  ["better-sqlite3/build/Release", /^(obj|obj\.target|\.deps|sqlite3\.a|test_extension\.node)$/],
];

export function pruneDeadWeight(modules: string): void {
  for (const [folder, name] of DEAD_WEIGHT) {
    const dir = join(modules, ...folder.split("/"));
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir))
      if (name.test(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
}

/** Copies a package and everything it depends on (as installed) into `modules`. */
export function copyPackageClosure(
  source: string,
  modules: string,
  name: string,
  seen: Set<string>,
  from = source,
): void {
  if (seen.has(name)) return;
  const require = createRequire(join(from, "package.json"));
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${name}/package.json`);
  } catch {
    // packages whose exports hide package.json: find the folder by walking up from the entry
    let entry: string;
    try {
      entry = require.resolve(name);
    } catch {
      return; // an optional dependency that is not installed
    }
    let dir = dirname(entry);
    while (
      !existsSync(join(dir, "package.json")) ||
      (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string }).name !== name
    ) {
      const up = dirname(dir);
      if (up === dir) return;
      dir = up;
    }
    manifestPath = join(dir, "package.json");
  }
  seen.add(name);
  const dir = dirname(manifestPath);
  const target = join(modules, ...name.split("/"));
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  cpSync(dir, target, { recursive: true, dereference: true });
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }))
    copyPackageClosure(source, modules, dep, seen, dir);
}
