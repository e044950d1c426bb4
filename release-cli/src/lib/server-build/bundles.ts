// The build's bin/*.mjs: the gRPC sidecar, the admin CLI, the launcher and the peer-stamp preload,
// each bundled with esbuild into one ESM file; the runtime packages stay in node_modules.
import { existsSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { build as esbuild, type Plugin } from "esbuild";
import { CliError } from "../run-program.ts";
import { EXTERNAL_PACKAGES } from "./runtime-packages.ts";

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

export async function bundle(source: string, out: string): Promise<void> {
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
