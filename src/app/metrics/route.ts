// GET /metrics: the web app's Prometheus metrics (API routes, the licensing REST twin, state
// gauges from the database, Node process metrics). With METRICS_TOKEN set, scrapes need
// `Authorization: Bearer <token>`.
import { metricsAuthorized, renderMetrics, serverMetrics } from "@/server/metrics.ts";
import { getServerRuntime } from "@/server/runtime.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(req: Request): Promise<Response> {
  const { config } = await getServerRuntime();
  if (!metricsAuthorized(req.headers.get("authorization"), config.metrics.token)) {
    return new Response("metrics need a bearer token\n", {
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="metrics"' },
    });
  }
  const metrics = serverMetrics("web");
  metrics.setDatabaseSource(async () => {
    const { database, config: current } = await getServerRuntime();
    return { db: database.db, heartbeatToleranceSeconds: current.licensing.heartbeatToleranceSeconds };
  });
  const { contentType, body } = await renderMetrics(metrics);
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}
