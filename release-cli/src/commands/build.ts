// `license-release build` (a distributable server) and `license-release docker` (its Dockerfile
// and Compose file).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { composeFile, detectDocker, dockerfile, DOCKERIGNORE } from "../lib/docker-files.ts";
import { mib, print, Progress, type CliIo } from "../lib/io.ts";
import { CliError } from "../lib/run-program.ts";
import { buildServer } from "../lib/server-build/build-server.ts";
import type { VersionInfo } from "../lib/server-build/version-info.ts";

/** The repository this CLI belongs to (release-cli/src/commands → the root). */
export const defaultSource = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export function registerBuild(program: Command, io: CliIo): void {
  program
    .command("build")
    .description(
      "a production build of the server (Next standalone output + the bundled sidecar, admin CLI and launcher) " +
        "into a folder that runs with `node bin/start.mjs`, with version info; optionally a tarball",
    )
    .option("--source <dir>", "the repository to build (default: this CLI's)", defaultSource)
    .option("--out <dir>", "where the build folder goes", "dist")
    .option("--name <name>", "the folder's name (default: license-server-<version>)")
    .option("--tarball", "also write <name>.tar.gz")
    .option("--force", "replace an existing folder of that name")
    .option("--verbose", "show next build's output")
    .option("--json", "machine-readable output")
    .action(
      async (options: {
        source: string;
        out: string;
        name?: string;
        tarball?: boolean;
        force?: boolean;
        verbose?: boolean;
        json?: boolean;
      }) => {
        const progress = new Progress(io, "build");
        const result = await buildServer({
          source: resolve(io.cwd, options.source),
          outDir: resolve(io.cwd, options.out),
          ...(options.name ? { name: options.name } : {}),
          tarball: options.tarball ?? false,
          force: options.force ?? false,
          onStep: (i, n, what) => {
            progress.step(i, n, what);
          },
          onOutput: (text) => {
            if (options.verbose) io.stderr(text);
          },
        });
        print(
          io,
          options.json,
          result,
          `built ${result.dir} (${mib(result.bytes)}) in ${(result.durationMs / 1000).toFixed(0)} s\n` +
            `  version ${result.version.version}, commit ${result.version.commit?.slice(0, 12) ?? "unknown"}${result.version.dirty ? " (dirty)" : ""}\n` +
            (result.tarball ? `  tarball ${result.tarball}\n` : "") +
            `  run: node ${join(result.dir, "bin", "start.mjs")}`,
        );
      },
    );

  program
    .command("docker")
    .description(
      "write a Dockerfile and a Compose file (app, gateway, PostgreSQL, Prometheus) for a build folder",
    )
    .argument("<build-dir>", "a folder made by `license-release build`")
    .option(
      "--source <dir>",
      "the repository (for the Prometheus and Grafana files in deployment/)",
      defaultSource,
    )
    .option("--image", "also build the image (needs a Docker engine)")
    .option("--json", "machine-readable output")
    .action((buildDir: string, options: { source: string; image?: boolean; json?: boolean }) => {
      const dir = resolve(io.cwd, buildDir);
      const versionPath = join(dir, "VERSION.json");
      if (!existsSync(versionPath))
        throw new CliError(`${dir} is not a build folder (no VERSION.json): run license-release build`);
      const info = JSON.parse(readFileSync(versionPath, "utf8")) as VersionInfo;
      const nodeMajor = info.node.split(".")[0] ?? "20";
      writeFileSync(join(dir, "Dockerfile"), dockerfile(nodeMajor, info.version));
      writeFileSync(join(dir, ".dockerignore"), DOCKERIGNORE);
      writeFileSync(join(dir, "compose.yaml"), composeFile(info.version));
      const written = ["Dockerfile", ".dockerignore", "compose.yaml"];
      const monitoring = join(resolve(io.cwd, options.source), "deployment");
      for (const folder of ["prometheus", "grafana"]) {
        if (existsSync(join(monitoring, folder))) {
          cpSync(join(monitoring, folder), join(dir, folder), { recursive: true });
          written.push(`${folder}/`);
        }
      }
      const docker = detectDocker(io.env);
      let image: string | null = null;
      if (options.image) {
        if (docker.state !== "ready") throw new CliError(`cannot build the image: ${docker.message}`);
        image = `license-server:${info.version}`;
        const result = spawnSync(io.env.LICENSE_RELEASE_DOCKER ?? "docker", ["build", "-t", image, dir], {
          stdio: "inherit",
        });
        if (result.status !== 0)
          throw new CliError(`docker build failed (exit code ${String(result.status)})`);
      }
      print(
        io,
        options.json,
        { dir, written, docker, image },
        `wrote ${written.join(", ")} in ${dir}\n${docker.message}` +
          (image
            ? `\nbuilt ${image}`
            : docker.state === "ready"
              ? `\nbuild it: docker compose -f ${join(dir, "compose.yaml")} build`
              : ""),
      );
    });
}
