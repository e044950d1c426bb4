// Writes sdk/src/generated/admin-api.ts: the admin API's procedures with their input and output
// types spelled out structurally, read from the server's router type with the TypeScript
// compiler. The SDK's typed admin client is built on it, so the published package's types stand
// alone (no server, Prisma or framework types). Run by `npm run generate`; a test checks that
// the generated types and the server's router agree.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "sdk/src/generated");
const probe = join(outDir, "admin-api-probe.ts");
mkdirSync(outDir, { recursive: true });
writeFileSync(
  probe,
  `import type { AppRouter } from "../../../src/server/trpc/router.ts";\nexport type Record_ = AppRouter["_def"]["record"];\n`,
);

const configPath = join(root, "tsconfig.json");
const config = ts.getParsedCommandLineOfConfigFile(
  configPath,
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
);
if (!config) throw new Error("cannot read tsconfig.json");
const program = ts.createProgram([probe], { ...config.options, noEmit: true, incremental: false });
const checker = program.getTypeChecker();
const source = program.getSourceFile(probe);
const alias = source?.statements.find(ts.isTypeAliasDeclaration);
if (!alias) throw new Error("probe not found");
const recordType = checker.getTypeAtLocation(alias.name);

const prop = (type, name) => {
  const symbol = type.getProperty(name);
  return symbol ? checker.getTypeOfSymbol(symbol) : undefined;
};

/** A type written out structurally: object members, unions, literals, arrays, Date. */
function print(type, dates, depth = 0, seen = new Set()) {
  if (depth > 12 || seen.has(type)) return "unknown";
  const f = type.flags;
  if (f & ts.TypeFlags.Any) return "any";
  if (f & ts.TypeFlags.Unknown) return "unknown";
  if (f & ts.TypeFlags.String) return "string";
  if (f & ts.TypeFlags.Number) return "number";
  if (f & ts.TypeFlags.Boolean) return "boolean";
  if (f & ts.TypeFlags.BigInt) return "bigint";
  if (f & ts.TypeFlags.Null) return "null";
  if (f & ts.TypeFlags.Undefined) return "undefined";
  if (f & ts.TypeFlags.Void) return "void";
  if (f & ts.TypeFlags.Never) return "never";
  if (f & (ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral | ts.TypeFlags.BooleanLiteral))
    return checker.typeToString(type);
  const next = new Set(seen).add(type);
  if (type.isUnion()) {
    const parts = [...new Set(type.types.map((t) => print(t, dates, depth + 1, next)))];
    // boolean arrives as true | false
    const text = parts.join(" | ").replace(/\bfalse \| true\b|\btrue \| false\b/g, "boolean");
    return parts.length > 1 ? `(${text})` : text;
  }
  if (type.isIntersection())
    return `(${type.types.map((t) => print(t, dates, depth + 1, next)).join(" & ")})`;
  // outputs travel as JSON: a Date arrives as its ISO-8601 string
  if (type.symbol?.name === "Date") return dates;
  if (checker.isArrayType(type))
    return `Array<${print(checker.getTypeArguments(type)[0], dates, depth + 1, next)}>`;
  if (checker.isTupleType(type))
    return `[${checker
      .getTypeArguments(type)
      .map((t) => print(t, dates, depth + 1, next))
      .join(", ")}]`;
  if (f & ts.TypeFlags.Object) {
    const members = [];
    const stringIndex = checker.getIndexInfoOfType(type, ts.IndexKind.String);
    if (stringIndex) members.push(`[key: string]: ${print(stringIndex.type, dates, depth + 1, next)}`);
    for (const symbol of checker.getPropertiesOfType(type)) {
      const optional = symbol.flags & ts.SymbolFlags.Optional ? "?" : "";
      const name = /^[A-Za-z_$][\w$]*$/.test(symbol.name) ? symbol.name : JSON.stringify(symbol.name);
      members.push(`${name}${optional}: ${print(checker.getTypeOfSymbol(symbol), dates, depth + 1, next)}`);
    }
    return `{ ${members.join("; ")} }`;
  }
  return "unknown";
}

const lines = [];
const paths = [];
function walk(type, indent, prefix = "") {
  for (const symbol of checker.getPropertiesOfType(type)) {
    const member = checker.getTypeOfSymbol(symbol);
    const def = prop(member, "_def");
    const isProcedure = def && prop(def, "procedure");
    if (isProcedure) {
      paths.push(`${prefix}${symbol.name}`);
      const kind = checker.typeToString(prop(def, "type")).replace(/"/g, "");
      const types = prop(def, "$types");
      const Kind = kind === "query" ? "TRPCQueryProcedure" : "TRPCMutationProcedure";
      lines.push(
        `${indent}${symbol.name}: ${Kind}<{ input: ${print(prop(types, "input"), "Date")}; output: ${print(prop(types, "output"), "string")}; meta: object }>;`,
      );
    } else {
      lines.push(`${indent}${symbol.name}: {`);
      walk(member, `${indent}  `, `${prefix}${symbol.name}.`);
      lines.push(`${indent}};`);
    }
  }
}
walk(recordType, "  ");
rmSync(probe);

writeFileSync(
  join(outDir, "admin-api.ts"),
  `// Generated by scripts/generate-admin-api.mjs from the server's router: do not edit.
/* eslint-disable */
import type { TRPCMutationProcedure, TRPCQueryProcedure } from "@trpc/server";

export type AdminApiRecord = {
${lines.join("\n")}
};

/** Every procedure's path, as generated (a test compares it with the server's router). */
export const ADMIN_API_PROCEDURES: readonly string[] = ${JSON.stringify(paths)};
`,
);
console.log(`generated the admin API's types (sdk/src/generated/admin-api.ts, ${lines.length} lines)`);
