import { apiRoute } from "@/server/http/api-route.ts";
import { withMetrics } from "@/server/metrics.ts";
import { getServerRuntime } from "@/server/runtime.ts";
import { signingKeyResponse } from "@/server/signing-key-endpoint.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withMetrics(
  "/api/signing-key",
  // public keys, the same for everyone: cacheable for a minute (as signingKeyResponse says)
  apiRoute(
    async (): Promise<Response> => {
      const { database } = await getServerRuntime();
      return signingKeyResponse(database.db);
    },
    { cacheControl: "public, max-age=60" },
  ),
);
