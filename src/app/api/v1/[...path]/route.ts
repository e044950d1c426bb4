import { getApiServices } from "@/server/services.ts";
import { handleRestRequest } from "@/server/trpc/handlers.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

async function handler(req: Request): Promise<Response> {
  return handleRestRequest(req, await getApiServices());
}

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
