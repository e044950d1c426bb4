import { apiRoute } from "@/server/http/api-route.ts";
import { openApiDocument } from "@/server/trpc/openapi.ts";
import { APP_VERSION } from "@/server/version.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = apiRoute((req: Request): Response => {
  const base = new URL("/api/v1", req.url).toString();
  return Response.json(openApiDocument(base, APP_VERSION));
});
