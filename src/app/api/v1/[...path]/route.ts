import { withMetrics } from "@/server/metrics.ts";
import { getApiServices } from "@/server/services.ts";
import { handleRestRequest } from "@/server/trpc/handlers.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

async function handler(req: Request): Promise<Response> {
  return handleRestRequest(req, await getApiServices());
}

const measured = withMetrics("/api/v1/[...path]", handler);

export { measured as GET, measured as POST, measured as PUT, measured as PATCH, measured as DELETE };
