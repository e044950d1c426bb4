// The REST twin of the gRPC licensing API (see src/server/licensing-api/rest.ts).
import { requestClientAddress } from "@/server/client-address.ts";
import { handleClientRestRequest } from "@/server/licensing-api/rest.ts";
import { apiRoute } from "@/server/http/api-route.ts";
import { withMetrics } from "@/server/metrics.ts";
import { getServerRuntime } from "@/server/runtime.ts";
import { getClientServices } from "@/server/admin-services.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

async function handler(
  req: Request,
  { params }: { params: Promise<{ operation: string }> },
): Promise<Response> {
  const { operation } = await params;
  const { config } = await getServerRuntime();
  // the socket's address, or what a trusted proxy says (TRUST_PROXY; src/server/client-address.ts)
  const ip = requestClientAddress(req.headers, config.trustProxy);
  // bodies over CLIENT_API_MAX_BODY_BYTES: 413, read no further than the limit
  return handleClientRestRequest(
    req,
    await getClientServices(),
    operation,
    ip,
    config.http.clientMaxBodyBytes,
  );
}

const measured = withMetrics(
  "/api/v1/client/[operation]",
  apiRoute(handler),
  async (_req, { params }) => `/api/v1/client/${(await params).operation}`,
);

export { measured as GET, measured as POST, measured as PUT, measured as PATCH, measured as DELETE };
