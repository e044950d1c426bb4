// GET /api/health: liveness and database reachability, for load balancers and the launcher.
import { loadConfig } from "@/server/config.ts";
import type { DbProvider } from "@/server/db/provider.ts";
import { errorSummary } from "@/server/error-summary.ts";
import { apiRoute } from "@/server/http/api-route.ts";
import { withMetrics } from "@/server/metrics.ts";
import { getServerRuntime } from "@/server/runtime.ts";
import { APP_VERSION } from "@/server/version.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** How long the database may take to answer `SELECT 1` before the check fails. */
const DB_TIMEOUT_MS = 3000;

interface HealthBody {
  status: "ok" | "error";
  version: string;
  database: { provider: DbProvider; ok: boolean };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** The provider to report when the runtime could not even be created. */
function configuredProvider(): DbProvider {
  try {
    return loadConfig(process.env).database.provider;
  } catch {
    return /^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? "") ? "postgresql" : "sqlite";
  }
}

function reply(body: HealthBody, status: number): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

export const GET = withMetrics("/api/health", apiRoute(health));

async function health(): Promise<Response> {
  let provider: DbProvider | undefined;
  try {
    const { database, logger } = await getServerRuntime();
    provider = database.provider;
    try {
      await withTimeout(database.db.$queryRawUnsafe("SELECT 1"), DB_TIMEOUT_MS);
    } catch (error) {
      logger.warn({ error: errorSummary(error) }, "health check: the database did not answer");
      return reply({ status: "error", version: APP_VERSION, database: { provider, ok: false } }, 503);
    }
    return reply({ status: "ok", version: APP_VERSION, database: { provider, ok: true } }, 200);
  } catch (error) {
    // no logger without a runtime; the message (never the stack) goes to the server's stderr
    console.error(`health check: the server runtime is not available: ${errorSummary(error)}`);
    provider ??= configuredProvider();
    return reply({ status: "error", version: APP_VERSION, database: { provider, ok: false } }, 503);
  }
}
