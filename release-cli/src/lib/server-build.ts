// A production build of the server into one folder (and optionally a tarball) that runs with
// Node alone: Next's standalone output (server.js + the node_modules it traced), the sidecar, the
// admin CLI and the launcher bundled with esbuild (bin/*.mjs), the migrations, version info.
//
//   license-server-<version>/
//     bin/start.mjs  bin/gateway.mjs  bin/admin.mjs     node bin/start.mjs runs everything
//     server.js  .release-build/next/  node_modules/      the web app (Next standalone)
//     prisma/migrations/  src/generated/proto/license.protoset
//     VERSION.json  README.md  package.json
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  readdirSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { build as esbuild, type Plugin } from "esbuild";
import * as tar from "tar";
import { CliError } from "./run-program.ts";

/** Next builds here (relative to the source), never into the .next the repository uses. */
export const NEXT_DIST_DIR = ".release-build/next";

/** Packages the bundles load from node_modules at run time: native code, wasm, worker files. */
const EXTERNAL_PACKAGES = [
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

function pruneDeadWeight(modules: string): void {
  for (const [folder, name] of DEAD_WEIGHT) {
    const dir = join(modules, ...folder.split("/"));
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir))
      if (name.test(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
}

export interface BuildOptions {
  /** the repository to build */
  source: string;
  /** where the build folder goes */
  outDir: string;
  name?: string;
  tarball: boolean;
  /** replace an existing build folder of the same name */
  force: boolean;
  onStep: (index: number, total: number, what: string) => void;
  onOutput: (text: string) => void;
}

export interface BuildResult {
  dir: string;
  tarball: string | null;
  version: VersionInfo;
  bytes: number;
  durationMs: number;
}

export interface VersionInfo {
  name: string;
  version: string;
  commit: string | null;
  dirty: boolean;
  builtAt: string;
  node: string;
  next: string | null;
}

const STEPS = 6;

function git(source: string, args: string[]): string | null {
  const result = spawnSync("git", args, { cwd: source, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

function directorySize(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + directorySize(join(path, entry)), 0);
}

/** `next build` with the standalone output into NEXT_DIST_DIR; Next's edits of tsconfig.json and next-env.d.ts are undone. */
async function nextBuild(source: string, onOutput: (text: string) => void): Promise<void> {
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

/**
 * Rewrites `import.meta.url` in the repository's own modules so each computes paths as if it still
 * sat at its place in the source tree, mirrored under the build folder (the bundles live in bin/).
 */
function sourceLocationPlugin(source: string): Plugin {
  return {
    name: "source-location",
    setup(build) {
      build.onLoad({ filter: /\.(ts|mts|js|mjs)$/ }, (args) => {
        const rel = relative(source, args.path);
        if (rel.startsWith("..") || rel.split(sep).includes("node_modules")) return undefined;
        const text = readFileSync(args.path, "utf8");
        if (!text.includes("import.meta.url")) return undefined;
        const here = `new URL(${JSON.stringify(`../${rel.split(sep).join("/")}`)}, import.meta.url).href`;
        return {
          contents: text.replaceAll("import.meta.url", `(${here})`),
          loader: args.path.endsWith("ts") ? "ts" : "js",
        };
      });
    },
  };
}

async function bundle(source: string, out: string): Promise<void> {
  const entries = {
    gateway: join(source, "grpc-gateway", "main.ts"),
    admin: join(source, "scripts", "admin.ts"),
    start: join(source, "scripts", "start-dist.ts"),
    // preloaded into server.js: stamps each request's socket address (src/server/client-address.ts)
    "peer-stamp": join(source, "scripts", "lib", "peer-stamp.mjs"),
  };
  for (const path of Object.values(entries)) if (!existsSync(path)) throw new CliError(`${path} is missing`);
  await esbuild({
    entryPoints: entries,
    outdir: join(out, "bin"),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    tsconfig: join(source, "tsconfig.json"),
    external: EXTERNAL_PACKAGES.flatMap((p) => [p, `${p}/*`]),
    // CommonJS dependencies bundled into ESM still call require()
    banner: {
      js: `import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);`,
    },
    plugins: [sourceLocationPlugin(source)],
    logLevel: "error",
    legalComments: "none",
  });
}

/** Copies a package and everything it depends on (as installed) into `modules`. */
function copyPackageClosure(
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
async function takeBuildLock(path: string, onStep: BuildOptions["onStep"]): Promise<{ release: () => void }> {
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
    if (!told) onStep(0, STEPS, `waiting for another build in this checkout (process ${holder})`);
    told = true;
    await new Promise((r) => setTimeout(r, 500));
  }
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

function buildReadme(info: VersionInfo): string {
  return `# ${info.name} ${info.version}

Built ${info.builtAt} from ${info.commit ?? "an unknown commit"}${info.dirty ? " (with uncommitted changes)" : ""} with Node ${info.node}.

Runs with Node.js ${info.node.split(".")[0]} on the same OS and CPU architecture as the build (better-sqlite3 is native code).

    node bin/start.mjs                 # web app + gRPC sidecar (what npm start does), first run included
    node bin/admin.mjs --help          # migrate, create-admin, reset-password, rotate-signing-key, backup, restore, verify-audit
    node server.js                     # the web app alone (HOSTNAME, PORT)
    node bin/gateway.mjs               # the gRPC sidecar alone

Configuration: the same environment variables as the repository's README (DATA_DIR, DATABASE_URL,
HOST, PORT, GRPC_PORT, ENCRYPTION_KEY, ...). \`license-release docker\` writes a Dockerfile and a
Compose file for this folder.
`;
}

export async function buildServer(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const source = resolve(options.source);
  for (const required of [
    "package.json",
    "next.config.ts",
    join("src", "generated", "prisma-sqlite", "client.ts"),
  ])
    if (!existsSync(join(source, required)))
      throw new CliError(`${join(source, required)} is missing: build from a checkout after npm ci`);
  const info = versionInfo(source);
  const name = options.name ?? `license-server-${info.version}`;
  const outDir = resolve(options.outDir);
  const dir = join(outDir, name);
  if (existsSync(dir) && !options.force) throw new CliError(`${dir} exists: remove it or use --force`);
  const nextDist = join(source, NEXT_DIST_DIR);
  const lock = await takeBuildLock(join(source, ".release-build", "build.lock"), options.onStep);
  try {
    options.onStep(1, STEPS, "next build (standalone output)");
    rmSync(nextDist, { recursive: true, force: true });
    await nextBuild(source, options.onOutput);
    const standalone = join(nextDist, "standalone");
    if (!existsSync(join(standalone, "server.js")))
      throw new CliError(`next build wrote no ${join(standalone, "server.js")}`);

    options.onStep(2, STEPS, "assembling the web app");
    const staging = `${dir}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    // only what runs: Next also copies sources it traced by their folder, which the build does not need
    cpSync(join(standalone, "server.js"), join(staging, "server.js"));
    cpSync(join(standalone, "node_modules"), join(staging, "node_modules"), {
      recursive: true,
      dereference: true,
    });
    cpSync(join(standalone, NEXT_DIST_DIR), join(staging, NEXT_DIST_DIR), {
      recursive: true,
      // Next links its external packages relative to the folder: keep the links as they are
      verbatimSymlinks: true,
    });
    cpSync(join(nextDist, "static"), join(staging, NEXT_DIST_DIR, "static"), { recursive: true });
    if (existsSync(join(source, "public")))
      cpSync(join(source, "public"), join(staging, "public"), { recursive: true });
    // server.js is CommonJS: no "type": "module" here (the bundles are .mjs)
    writeFileSync(
      join(staging, "package.json"),
      JSON.stringify({ name: info.name, version: info.version, private: true }, null, 2) + "\n",
    );

    options.onStep(3, STEPS, "bundling the sidecar, the admin CLI and the launcher (esbuild)");
    await bundle(source, staging);

    options.onStep(4, STEPS, "adding runtime packages, migrations and the gRPC descriptor set");
    const seen = new Set<string>();
    for (const name of EXTERNAL_PACKAGES)
      copyPackageClosure(source, join(staging, "node_modules"), name, seen);
    pruneDeadWeight(join(staging, "node_modules"));
    cpSync(join(source, "prisma", "migrations"), join(staging, "prisma", "migrations"), { recursive: true });
    cpSync(join(source, "prisma", "models.prisma"), join(staging, "prisma", "models.prisma"));
    const protoset = join("src", "generated", "proto", "license.protoset");
    mkdirSync(dirname(join(staging, protoset)), { recursive: true });
    cpSync(join(source, protoset), join(staging, protoset));
    writeFileSync(join(staging, "VERSION.json"), JSON.stringify(info, null, 2) + "\n");
    writeFileSync(join(staging, "README.md"), buildReadme(info));
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    // Next's standalone folder holds copies of the sources (tests included); only its cache is kept
    rmSync(standalone, { recursive: true, force: true });

    let tarball: string | null = null;
    options.onStep(5, STEPS, options.tarball ? "writing the tarball" : "no tarball (--tarball makes one)");
    if (options.tarball) {
      tarball = join(outDir, `${name}.tar.gz`);
      await tar.create({ gzip: true, file: tarball, cwd: outDir, portable: true }, [name]);
    }
    options.onStep(6, STEPS, "done");
    return {
      dir,
      tarball,
      version: info,
      bytes: directorySize(dir),
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    lock.release();
  }
}
