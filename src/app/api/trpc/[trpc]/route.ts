import { getApiServices } from "@/server/services.ts";
import { handleTrpcRequest } from "@/server/trpc/handlers.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

async function handler(req: Request): Promise<Response> {
  return handleTrpcRequest(req, await getApiServices());
}

export { handler as GET, handler as POST };
