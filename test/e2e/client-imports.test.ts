// The admin UI's client code shares the server's Zod schemas and role table, so it imports from
// src/server. This keeps those imports server-free: from every "use client" module, following
// value imports (type-only imports vanish from bundles), no module may reach Node built-ins,
// the database, Prisma's runtime or other server-only packages.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { appRoot } from "../../scripts/lib/launcher.ts";

const SRC = join(appRoot, "src");
const FORBIDDEN_PACKAGES = [
  /^node:/,
  /^@prisma\//,
  /^better-sqlite3$/,
  /^pg$/,
  /^pino/,
  /^@grpc\//,
  /^nice-grpc/,
  /^ldapts$/,
  /^otplib$/,
  /^qrcode$/,
  /^jose$/,
  /^next-auth\/(jwt|providers)/,
  /^@trpc\/server(\/(?!$).*)?$/,
];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Specifiers of imports and re-exports that bring values (not `import type` / `export type`). */
function valueImports(source: string): string[] {
  const out: string[] = [];
  const pattern =
    /^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm;
  for (const match of source.matchAll(pattern)) {
    if (match[5]) {
      out.push(match[5]);
      continue;
    }
    if (match[2]) continue; // import type / export type
    const clause = match[3] ?? "";
    const named = /^\{([\s\S]*)\}$/.exec(clause.trim());
    if (named?.[1] !== undefined && named[1].split(",").every((part) => /^\s*(type\s+\S|$)/.test(part)))
      continue;
    out.push(match[4] ?? "");
  }
  return out;
}

function resolveLocal(from: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith("@/")) base = join(SRC, specifier.slice(2));
  else if (specifier.startsWith(".")) base = resolve(dirname(from), specifier);
  else return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${relative(appRoot, from)}: cannot resolve ${specifier}`);
}

describe("client bundles", () => {
  const clientFiles = walk(SRC).filter((file) => /^\s*["']use client["']/.test(readFileSync(file, "utf8")));

  it("finds the client modules", () => {
    expect(clientFiles.length).toBeGreaterThan(10);
  });

  it("never reach server-only code through value imports", () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    const visit = (file: string, chain: string[]) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of valueImports(readFileSync(file, "utf8"))) {
        const local = resolveLocal(file, specifier);
        if (local) {
          if (local.includes(join("src", "generated"))) {
            problems.push(`${[...chain, relative(appRoot, file)].join(" → ")} → ${specifier}`);
          } else visit(local, [...chain, relative(appRoot, file)]);
        } else if (FORBIDDEN_PACKAGES.some((pattern) => pattern.test(specifier))) {
          problems.push(`${[...chain, relative(appRoot, file)].join(" → ")} → ${specifier}`);
        }
      }
    };
    for (const file of clientFiles) visit(file, []);
    expect(problems).toEqual([]);
  });
});
