import { apiRoute } from "@/server/http/api-route.ts";
import { limitRestBody } from "@/server/http/admin-api-body.ts";
import { withMetrics } from "@/server/metrics.ts";
import { getApiServices } from "@/server/admin-services.ts";
import { handleRestRequest } from "@/server/trpc/handlers.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

async function handler(req: Request): Promise<Response> {
  // over ADMIN_API_MAX_BODY_BYTES: 413 (src/server/http/admin-api-body.ts)
  const limited = await limitRestBody(req);
  if (limited instanceof Response) return limited;
  return handleRestRequest(limited, await getApiServices());
}

// answers carry tokens (sign-in), new API keys, TOTP secrets: no-store, like every API answer
const measured = withMetrics("/api/v1/[...path]", apiRoute(handler));

export { measured as GET, measured as POST, measured as PUT, measured as PATCH, measured as DELETE };
