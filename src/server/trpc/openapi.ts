import { generateOpenApiDocument } from "trpc-to-openapi";
import { appRouter } from "./router.ts";

let document: ReturnType<typeof generateOpenApiDocument> | undefined;

/**
 * The OpenAPI 3.1 document of the REST API, generated once from the tRPC procedures. `baseUrl` is
 * its server URL (the route serves "/api/v1": relative, so it follows whatever host served it).
 */
export function openApiDocument(
  baseUrl: string,
  version: string,
): ReturnType<typeof generateOpenApiDocument> {
  document ??= generateOpenApiDocument(appRouter, {
    title: "License Server admin API",
    description:
      "Every admin operation. Authenticate with `Authorization: Bearer <token>` (from POST /auth/login) or `Bearer lsk_...` (an API key).",
    version,
    baseUrl,
    securitySchemes: { Authorization: { type: "http", scheme: "bearer" } },
  });
  addCsvExports(document);
  return document;
}

type OpenApiDocument = ReturnType<typeof generateOpenApiDocument>;
type Operation = NonNullable<NonNullable<OpenApiDocument["paths"]>[string]>["get"];

/**
 * The CSV exports (src/server/trpc/csv-export.ts) are plain routes, not procedures: each is
 * described here with its list's query parameters (page and pageSize aside; a path parameter of
 * the list becomes a query parameter) and a text/csv answer.
 */
function addCsvExports(doc: OpenApiDocument): void {
  const exports: [path: string, list: string, tag: string, summary: string][] = [
    ["/licenses/export.csv", "/licenses", "Licenses", "The filtered licenses as CSV"],
    ["/customers/export.csv", "/customers", "Customers", "The filtered customers as CSV"],
    ["/sessions/export.csv", "/licenses/{licenseId}/sessions", "Sessions", "A license's sessions as CSV"],
    ["/audit-events/export.csv", "/audit-events", "Audit log", "The filtered audit log as CSV"],
  ];
  doc.paths ??= {};
  for (const [path, list, tag, summary] of exports) {
    const listed = doc.paths[list]?.get;
    if (!listed) continue;
    const parameters = (listed.parameters ?? [])
      .filter((p) => !("name" in p) || (p.name !== "page" && p.name !== "pageSize"))
      .map((p) => ("in" in p && p.in === "path" ? { ...p, in: "query" as const } : p));
    const operation: Operation = {
      operationId: `export-${path.split("/")[1] ?? "rows"}-csv`,
      summary,
      description:
        "Every matching row (streamed), with the list's filters. Dates in ISO-8601; text starting with = + - @, tab or CR gets a leading '. See docs/exports.md.",
      tags: [tag],
      security: listed.security,
      parameters,
      responses: {
        "200": {
          description: "The CSV file (header row first), as an attachment with a dated file name",
          content: { "text/csv": { schema: { type: "string" } } },
        },
        ...Object.fromEntries(Object.entries(listed.responses ?? {}).filter(([status]) => status !== "200")),
      },
    };
    doc.paths[path] = { get: operation };
  }
}
