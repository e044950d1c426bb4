import { defineConfig } from "vitest/config";

export default defineConfig({
  // the SDK workspace's sources, as the server and tests use them (its package exports dist/)
  resolve: {
    alias: [
      {
        find: /^@license-server\/sdk\/offline$/,
        replacement: new URL("./sdk/src/offline.ts", import.meta.url).pathname,
      },
      {
        find: /^@license-server\/sdk$/,
        replacement: new URL("./sdk/src/index.ts", import.meta.url).pathname,
      },
    ],
  },
  test: {
    include: ["test/**/*.test.ts", "sdk/test/**/*.test.ts", "release-cli/test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    pool: "forks",
    // integration tests run real scrypt, TOTP and databases on a 2-core machine, several files at once
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // database suites are I/O bound; two cores still run four files well
    maxWorkers: 4,
    // a polled UI or database state waits like a browser step would on a busy machine (default 1 s)
    expect: { poll: { timeout: 15_000 } },
  },
});
