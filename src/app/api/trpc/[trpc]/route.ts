import { withMetrics } from "@/server/metrics.ts";
import { getApiServices } from "@/server/services.ts";
import { handleTrpcRequest } from "@/server/trpc/handlers.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

async function handler(req: Request): Promise<Response> {
  return handleTrpcRequest(req, await getApiServices());
}

const measured = withMetrics("/api/trpc/[trpc]", handler);

export { measured as GET, measured as POST };
