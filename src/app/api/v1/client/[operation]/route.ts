// The REST twin of the gRPC licensing API (see src/server/client-api/rest.ts).
import { handleClientRestRequest } from "@/server/client-api/rest.ts";
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

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
