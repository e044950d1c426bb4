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
  return document;
}
