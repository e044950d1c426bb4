import { withMetrics } from "@/server/metrics.ts";
import { getServerRuntime } from "@/server/runtime.ts";
import { signingKeyResponse } from "@/server/signing-key-endpoint.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withMetrics("/api/signing-key", async (): Promise<Response> => {
  const { database } = await getServerRuntime();
  return signingKeyResponse(database.db);
});
