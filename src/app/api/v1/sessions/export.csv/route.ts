// GET /api/v1/sessions/export.csv: the list as a CSV download (docs/exports.md).
import { apiRoute } from "@/server/http/api-route.ts";
import { withMetrics } from "@/server/metrics.ts";
import { getApiServices } from "@/server/admin-services.ts";
import { exportSessions } from "@/server/core/sessions/export-sessions.ts";
import { handleCsvExport } from "@/server/trpc/csv-export.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withMetrics(
  "/api/v1/sessions/export.csv",
  apiRoute(async (req: Request) => handleCsvExport(req, await getApiServices(), exportSessions)),
);
