// Builds the package into dist/: ES modules with type declarations, from src/ (and the contract
// and admin API code that `npm run generate` at the repository root writes to src/generated/).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const sdk = join(dirname(fileURLToPath(import.meta.url)), "..");
for (const generated of ["src/generated/proto/license/v1/license.ts", "src/generated/admin-api.ts"]) {
  if (!existsSync(join(sdk, generated))) {
    console.error(`${generated} is missing: run \`npm run generate\` at the repository root first`);
    process.exit(1);
  }
}
rmSync(join(sdk, "dist"), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", join(sdk, "tsconfig.build.json")], { stdio: "inherit" });

// Declarations keep the sources' ".ts" specifiers; published ones point at the ".js" files.
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith(".d.ts")) {
      const text = readFileSync(path, "utf8");
      writeFileSync(path, text.replace(/(from\s+["']\.{1,2}\/[^"']*?)\.ts(["'])/g, "$1.js$2"));
    }
  }
}
walk(join(sdk, "dist"));
console.log("built sdk/dist");
