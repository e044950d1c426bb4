// trpc-to-openapi switches on Zod's coercion (`def.coerce = true`) for every number, boolean,
// bigint and date in a REST operation's input, on the schema objects themselves — which are the
// domain's schemas, shared by every transport. Coerced, `"yes"` would pass as `true` and `"7"` as
// 7 everywhere. This pins `coerce` to false on every such schema in the procedures' inputs; list
// filters that arrive as query strings convert "true"/"false"/"42" themselves (zQueryInt,
// ZQueryBoolean), strictly.
import type { AnyRouter } from "@trpc/server";

interface SchemaLike {
  _zod?: { def?: Record<string, unknown> };
}

const COERCIBLE = new Set(["number", "boolean", "bigint", "date"]);
const CHILD_KEYS = ["innerType", "element", "in", "out", "keyType", "valueType", "left", "right"] as const;

function lock(schema: unknown, seen: Set<unknown>): void {
  const def = (schema as SchemaLike | null)?._zod?.def;
  if (!def || seen.has(def)) return;
  seen.add(def);
  if (typeof def.type === "string" && COERCIBLE.has(def.type)) {
    Object.defineProperty(def, "coerce", { get: () => false, set: () => undefined, configurable: false });
  }
  const shape = def.shape as Record<string, unknown> | undefined;
  if (shape) for (const child of Object.values(shape)) lock(child, seen);
  for (const key of CHILD_KEYS) if (def[key]) lock(def[key], seen);
  if (Array.isArray(def.options)) for (const option of def.options) lock(option, seen);
}

export function lockInputCoercion<R extends AnyRouter>(router: R): R {
  const seen = new Set<unknown>();
  for (const procedure of Object.values(
    router._def.procedures as Record<string, { _def: { inputs: unknown[] } }>,
  )) {
    for (const input of procedure._def.inputs) lock(input, seen);
  }
  return router;
}
