import type { NextConfig } from "next";
import { STATIC_SECURITY_HEADERS } from "./src/server/http/security-headers.ts";

// Turbopack (the default in Next 16) builds this app as is: it compiles the generated Prisma
// clients in src/generated (imports with .ts extensions included) into the server bundle, while
// @prisma/client's runtime, which loads the per-provider query compiler by dynamic import, stays
// in node_modules. Verified with `next build` + `next start` on SQLite and PostgreSQL.
// `license-release build` sets this to build a self-contained server (Next's standalone output:
// server.js with the node_modules it needs) into its own folder, leaving .next alone.
const standaloneDistDir = process.env.LICENSE_SERVER_STANDALONE_DIST_DIR;

const nextConfig: NextConfig = {
  ...(standaloneDistDir
    ? { output: "standalone", distDir: standaloneDistDir, outputFileTracingRoot: import.meta.dirname }
    : {}),
  // Loaded from node_modules at run time instead of bundled: native addons (better-sqlite3), the
  // Prisma runtime that loads its query compiler by dynamic import, and pino's worker files.
  // (@prisma/client, better-sqlite3, pg and pino are on Next's built-in list too.)
  serverExternalPackages: [
    "@prisma/client",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "@prisma/driver-adapter-utils",
    "@prisma/schema-engine-wasm",
    "better-sqlite3",
    "pg",
    "pino",
    "prom-client",
    "swagger-ui-dist",
  ],
  // the SDK workspace ships TypeScript sources; the server issues its formats
  transpilePackages: ["@license-server/sdk"],
  poweredByHeader: false,
  // pages (the proxy's paths) take no bodies worth more: the proxy buffers at most this much
  experimental: { proxyClientMaxBodySize: "1mb" },
  // nosniff, Referrer-Policy, X-Frame-Options, Permissions-Policy on every answer (assets and 404s
  // too); the Content-Security-Policy comes from src/proxy.ts (pages, with a nonce) and
  // src/server/http/api-route.ts (the API)
  headers: () =>
    Promise.resolve([{ source: "/:path*", headers: STATIC_SECURITY_HEADERS.map((h) => ({ ...h })) }]),
  reactStrictMode: true,
  typescript: {
    // `npm run typecheck` (tsc) is the type check; the launcher's build should not repeat it
    ignoreBuildErrors: true,
  },
};

export default nextConfig;
