// The layering rules of docs/architecture.md, checked on the sources (the lint rules in
// eslint.config.js say the same while editing; this runs with the tests): the domain layer imports
// no transport and not the auth layer; procedures name permissions of the domain's table, never
// roles; Prisma's types come from src/server/db; nothing points outside the repository.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { PERMISSIONS } from "../../src/server/core/access/policy.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SKIP = new Set([
  "node_modules",
  ".next",
  ".git",
  "generated",
  "dist",
  ".build",
  ".release-build",
  "data",
]);

function filesUnder(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, pattern));
    else if (pattern.test(name)) out.push(path);
  }
  return out;
}

/** Every module specifier a file imports or re-exports (static and dynamic). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)) {
    if (m[1]) found.push(m[1]);
  }
  return found;
}

/** Where a specifier points, as a path from the repository root (packages: the package name). */
function target(file: string, spec: string): string {
  if (spec.startsWith("@/")) return join("src", spec.slice(2));
  if (spec.startsWith(".")) return relative(ROOT, resolve(dirname(file), spec));
  return `package:${spec}`;
}

describe("architecture", () => {
  const core = filesUnder(join(ROOT, "src/server/core"), /\.tsx?$/);

  it("finds the sources it checks", () => {
    expect(core.length).toBeGreaterThan(100);
  });

  it("the domain layer (src/server/core) imports no transport, no auth layer and no framework", () => {
    const forbidden =
      /^(src\/server\/(auth|trpc|licensing-api|http|admin-cli)\/|grpc-gateway\/|src\/app\/|package:(next|next-auth|@trpc\/|nice-grpc))/;
    const offenders = core.flatMap((file) =>
      specifiers(readFileSync(file, "utf8"))
        .map((spec) => target(file, spec))
        .filter((t) => forbidden.test(t))
        .map((t) => `${relative(ROOT, file)} → ${t}`),
    );
    expect(offenders).toEqual([]);
  });

  it("Prisma's types come from src/server/db, never from a generated client", () => {
    const sources = [
      ...filesUnder(join(ROOT, "src"), /\.tsx?$/),
      ...filesUnder(join(ROOT, "grpc-gateway"), /\.ts$/),
    ].filter((f) => !relative(ROOT, f).startsWith("src/server/db/"));
    const offenders = sources.filter((file) =>
      specifiers(readFileSync(file, "utf8")).some((spec) =>
        /generated\/prisma-(sqlite|postgresql)\//.test(spec),
      ),
    );
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it("schemas have one home: an operation does not re-export the area's schemas.ts", () => {
    const offenders = core.filter(
      (file) =>
        !file.endsWith("schemas.ts") &&
        /^export (type )?\{[^}]*\bZ[A-Z]\w*/m.test(readFileSync(file, "utf8")),
    );
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it("every admin procedure names a permission of the domain's table, never a role", () => {
    const routers = filesUnder(join(ROOT, "src/server/trpc"), /\.ts$/);
    const calls = routers.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/adminProcedure\(\s*([^)]*)\)/g)].map((m) => ({
        file: relative(ROOT, file),
        arg: (m[1] ?? "").trim(),
      })),
    );
    // the definition in init.ts takes a parameter; every other call passes a literal permission
    const uses = calls.filter((c) => !/^permission\s*:/.test(c.arg));
    expect(uses.length).toBeGreaterThan(40);
    const permissions = new Set(Object.keys(PERMISSIONS));
    const wrong = uses.filter((c) => {
      const literal = /^"([^"]+)"$/.exec(c.arg)?.[1];
      return literal === undefined || !permissions.has(literal);
    });
    expect(wrong).toEqual([]);
  });

  it("no file points outside the repository (../shared or a toolchain note)", () => {
    const files = [
      ...filesUnder(ROOT, /\.(ts|tsx|mjs|js|md|json|yml|yaml|sh)$/),
      ...filesUnder(join(ROOT, ".ci"), /^run$/),
    ].filter((f) => !f.endsWith("package-lock.json") && !f.endsWith("architecture.test.ts"));
    const offenders = files.filter((file) =>
      /\.\.\/shared\/[A-Z]|TOOLCHAIN\.md|DESIGN\.md/.test(readFileSync(file, "utf8")),
    );
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
