import type { OpenApiMeta, OpenApiMethod } from "trpc-to-openapi";

/** The REST route of a procedure, under /api/v1, protected by the bearer token or API key. */
export function rest(method: OpenApiMethod, path: `/${string}`, tag: string, summary: string): OpenApiMeta {
  return { openapi: { method, path, tags: [tag], summary, protect: true } };
}
