import { apiRoute } from "@/server/http/api-route.ts";
import { openApiDocument } from "@/server/trpc/openapi.ts";
import { APP_VERSION } from "@/server/version.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

// The server URL is relative: clients (Swagger UI's "Try it out" among them) resolve it against
// the address they fetched the document from, whatever the host (127.0.0.1, a proxy's name) —
// the request's own URL can name another host (Next sees `localhost` behind the launcher).
export const GET = apiRoute((): Response => Response.json(openApiDocument("/api/v1", APP_VERSION)));
