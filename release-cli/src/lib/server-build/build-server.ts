// A production build of the server into one folder (and optionally a tarball) that runs with
// Node alone: Next's standalone output (server.js + the node_modules it traced), the sidecar, the
// admin CLI and the launcher bundled with esbuild (bin/*.mjs), the migrations, version info.
//
//   license-server-<version>/
//     bin/start.mjs  bin/gateway.mjs  bin/admin.mjs     node bin/start.mjs runs everything
//     server.js  .release-build/next/  node_modules/      the web app (Next standalone)
//     prisma/migrations/  src/generated/proto/license.protoset
//     VERSION.json  README.md  package.json
//
// The steps, each in a file of its own here: next-standalone.ts, bundles.ts, runtime-packages.ts,
// version-info.ts and build-readme.ts; build-lock.ts keeps two builds of a checkout apart.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import * as tar from "tar";
import { CliError } from "../run-program.ts";
import { takeBuildLock } from "./build-lock.ts";
import { buildReadme } from "./build-readme.ts";
import { bundle } from "./bundles.ts";
import { nextBuild, NEXT_DIST_DIR } from "./next-standalone.ts";
import { copyPackageClosure, EXTERNAL_PACKAGES, pruneDeadWeight } from "./runtime-packages.ts";
import { versionInfo, type VersionInfo } from "./version-info.ts";

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

const STEPS = 6;

function directorySize(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + directorySize(join(path, entry)), 0);
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
  const lock = await takeBuildLock(join(source, ".release-build", "build.lock"), (what) => {
    options.onStep(0, STEPS, what);
  });
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
