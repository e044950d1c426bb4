// Regenerates the README's screenshots: runs the browser test that saves them
// (test/e2e/screenshots.test.ts: it builds and starts the app, seeds a small catalog, and saves
// the main pages light and dark, wide and narrow into test-output/e2e/), then copies the chosen
// set into docs/screenshots/. Re-runnable: the files are overwritten.
//   npm run screenshots
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { appRoot } from "./lib/launcher.ts";

/** The pages the README shows, in each theme and size. */
const CHOSEN = ["dashboard", "licenses", "license"];
const THEMES = ["light", "dark"];
const SIZES = ["wide", "narrow"];

const run = spawnSync("npx", ["vitest", "run", "test/e2e/screenshots.test.ts"], {
  cwd: appRoot,
  stdio: "inherit",
});
if (run.status !== 0) {
  console.error("the screenshots test failed: docs/screenshots/ left as it was");
  process.exit(run.status ?? 1);
}

const from = join(appRoot, "test-output", "e2e");
const to = join(appRoot, "docs", "screenshots");
mkdirSync(to, { recursive: true });
const missing: string[] = [];
for (const name of CHOSEN)
  for (const theme of THEMES)
    for (const size of SIZES) {
      const file = `${name}-${theme}-${size}.png`;
      const source = join(from, `readme-${file}`);
      if (!existsSync(source)) {
        missing.push(source);
        continue;
      }
      copyFileSync(source, join(to, file));
      console.log(`docs/screenshots/${file}`);
    }
if (missing.length > 0) {
  // chromium missing: the test skips itself and saves nothing
  console.error(`not saved (is chromium installed?):\n  ${missing.join("\n  ")}`);
  process.exit(1);
}
