// The REST twin of the gRPC licensing API (see src/server/client-api/rest.ts).
import { handleClientRestRequest } from "@/server/client-api/rest.ts";
import { withMetrics } from "@/server/metrics.ts";
import { getClientServices } from "@/server/services.ts";
import { clientIp } from "@/server/trpc/context.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

async function handler(
  req: Request,
  { params }: { params: Promise<{ operation: string }> },
): Promise<Response> {
  const { operation } = await params;
  return handleClientRestRequest(req, await getClientServices(), operation, clientIp(req.headers));
}

const measured = withMetrics(
  "/api/v1/client/[operation]",
  handler,
  async (_req, { params }) => `/api/v1/client/${(await params).operation}`,
);

export { measured as GET, measured as POST, measured as PUT, measured as PATCH, measured as DELETE };
