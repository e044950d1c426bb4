import { apiRoute } from "@/server/http/api-route.ts";
import { limitTrpcBody } from "@/server/http/admin-api-body.ts";
import { withMetrics } from "@/server/metrics.ts";
import { getApiServices } from "@/server/admin-services.ts";
import { handleTrpcRequest } from "@/server/trpc/handlers.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

async function handler(req: Request): Promise<Response> {
  // over ADMIN_API_MAX_BODY_BYTES: 413 (src/server/http/admin-api-body.ts)
  const limited = await limitTrpcBody(req);
  return handleTrpcRequest(limited, await getApiServices());
}

const measured = withMetrics("/api/trpc/[trpc]", apiRoute(handler));

export { measured as GET, measured as POST };
