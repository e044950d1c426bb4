// Checks out an offline license file as a download (see src/server/trpc/license-file-download.ts).
import { apiRoute } from "@/server/http/api-route.ts";
import { limitRestBody } from "@/server/http/admin-api-body.ts";
import { withMetrics } from "@/server/metrics.ts";
import { getApiServices } from "@/server/admin-services.ts";
import { handleLicenseFileDownload } from "@/server/trpc/license-file-download.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = withMetrics(
  "/api/licenses/[id]/checkout",
  apiRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> => {
    const { id } = await params;
    // the body is read within ADMIN_API_MAX_BODY_BYTES; over it, the REST API's 413
    const limited = await limitRestBody(req);
    if (limited instanceof Response) return limited;
    return handleLicenseFileDownload(limited, await getApiServices(), id);
  }),
);
