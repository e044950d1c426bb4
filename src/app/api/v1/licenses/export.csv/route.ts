// GET /api/v1/licenses/export.csv: the list as a CSV download; POST with { ids } for a selection
// (docs/exports.md).
import { apiRoute } from "@/server/http/api-route.ts";
import { limitRestBody } from "@/server/http/admin-api-body.ts";
import { withMetrics } from "@/server/metrics.ts";
import { getApiServices } from "@/server/admin-services.ts";
import { exportLicenses } from "@/server/core/licenses/export-licenses.ts";
import { handleCsvExport } from "@/server/trpc/csv-export.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const exported = withMetrics(
  "/api/v1/licenses/export.csv",
  apiRoute(async (req: Request) => {
    // POST ({ ids }: "Export selected"): the body within ADMIN_API_MAX_BODY_BYTES, else 413
    const limited = await limitRestBody(req);
    if (limited instanceof Response) return limited;
    return handleCsvExport(limited, await getApiServices(), exportLicenses);
  }),
);

export { exported as GET, exported as POST };
