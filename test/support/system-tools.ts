// Programs from outside npm that some suites run: OpenLDAP's slapd and slapadd (the LDAP tests),
// openssl (test certificates), chromium (the browser tests), promtool (the deployment's Prometheus
// files), nginx (the reverse proxy) and curl (the README's curl session). Global setup looks for
// them once (findSystemTools) and prints what is missing; a suite that needs a missing one is
// skipped (missingTools, for describe.skipIf). Under CI=true a missing program fails the run
// instead (.ci/run installs them).
// Programs are looked up on PATH, and in the sbin next to each bin on it (Debian puts slapd and
// nginx in /usr/sbin, which a normal user's PATH lacks); CHROMIUM_PATH names the browser directly.
import { accessSync, constants, statSync } from "node:fs";
import { basename, delimiter, dirname, join } from "node:path";
import { inject } from "vitest";

export type SystemTool = "slapd" | "slapadd" | "openssl" | "chromium" | "promtool" | "nginx" | "curl";

/** Where global setup found each program; null: not installed. */
export type SystemToolPaths = Record<SystemTool, string | null>;

declare module "vitest" {
  export interface ProvidedContext {
    systemTools: SystemToolPaths;
  }
}

interface DebianPackage {
  name: string;
  /** the command that installs it (with its companions, for slapd) */
  install: string;
  /** the suites that need it (skipped without it) */
  neededBy: string;
}

const SLAPD: DebianPackage = {
  name: "slapd",
  install: "apt-get install -y slapd ldap-utils openssl",
  neededBy: "the LDAP suites (test/auth/ldap-*)",
};

export const SYSTEM_TOOLS: Record<SystemTool, DebianPackage> = {
  slapd: SLAPD,
  slapadd: SLAPD,
  openssl: {
    name: "openssl",
    install: "apt-get install -y openssl",
    neededBy:
      "the LDAP suite over TLS and the nginx suite (test certificates; test/api/grpc-tls and sdk/test/tls need it too)",
  },
  chromium: {
    name: "chromium",
    install: "apt-get install -y chromium",
    neededBy: "the browser suites (test/e2e)",
  },
  promtool: {
    name: "prometheus",
    install: "apt-get install -y prometheus",
    neededBy: "the Prometheus check of the deployment files (test/ops/deployment)",
  },
  nginx: {
    name: "nginx",
    install: "apt-get install -y nginx",
    neededBy: "the reverse-proxy suite (test/ops/nginx-proxy)",
  },
  curl: {
    name: "curl",
    install: "apt-get install -y curl",
    neededBy: "the README's curl session (test/app/start.test.ts)",
  },
};

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `command` in a PATH directory or in the sbin beside it (/usr/bin → /usr/sbin); null if nowhere. */
function onPath(command: string, path: string): string | null {
  for (const dir of path.split(delimiter).filter((entry) => entry !== "")) {
    const dirs = basename(dir) === "bin" ? [dir, join(dirname(dir), "sbin")] : [dir];
    for (const candidate of dirs.map((d) => join(d, command))) {
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

/** Looks for every program once (global setup); honours PATH and CHROMIUM_PATH. */
export function findSystemTools(env: NodeJS.ProcessEnv = process.env): SystemToolPaths {
  const path = env.PATH ?? "";
  const chromium = env.CHROMIUM_PATH;
  return {
    slapd: onPath("slapd", path),
    slapadd: onPath("slapadd", path),
    openssl: onPath("openssl", path),
    chromium: chromium ? (isExecutableFile(chromium) ? chromium : null) : onPath("chromium", path),
    promtool: onPath("promtool", path),
    nginx: onPath("nginx", path),
    curl: onPath("curl", path),
  };
}

/**
 * What is missing among `tools`, one sentence per Debian package naming the programs, the
 * package and its install command; null when everything is there.
 */
export function describeMissing(paths: SystemToolPaths, tools: readonly SystemTool[]): string | null {
  const byPackage = new Map<DebianPackage, SystemTool[]>();
  for (const tool of tools) {
    if (paths[tool] !== null) continue;
    const pkg = SYSTEM_TOOLS[tool];
    byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), tool]);
  }
  if (byPackage.size === 0) return null;
  return [...byPackage]
    .map(([pkg, missing]) => `${missing.join(", ")} not found (Debian package ${pkg.name}): ${pkg.install}`)
    .join("; ");
}

/** For global setup: one line per missing package, with the suites that need it. */
export function missingToolsReport(paths: SystemToolPaths): string[] {
  const all = Object.keys(SYSTEM_TOOLS) as SystemTool[];
  const packages = new Set(all.filter((tool) => paths[tool] === null).map((tool) => SYSTEM_TOOLS[tool]));
  return [...packages].map((pkg) => {
    const tools = all.filter((tool) => SYSTEM_TOOLS[tool] === pkg);
    return `${describeMissing(paths, tools) ?? ""}, for ${pkg.neededBy}`;
  });
}

/** In a test file: why these programs cannot be run here, or null when all are installed (describe.skipIf). */
export function missingTools(...tools: SystemTool[]): string | null {
  return describeMissing(inject("systemTools"), tools);
}

/** In a test file: the path of `tool`; throws naming the package when it is not installed. */
export function toolPath(tool: SystemTool): string {
  const path = inject("systemTools")[tool];
  if (path === null) throw new Error(describeMissing(inject("systemTools"), [tool]) ?? `${tool} missing`);
  return path;
}
