// Checks out an offline license file as a download (see src/server/trpc/license-file-download.ts).
import { withMetrics } from "@/server/metrics.ts";
import { getApiServices } from "@/server/services.ts";
import { handleLicenseFileDownload } from "@/server/trpc/license-file-download.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = withMetrics(
  "/api/licenses/[id]/checkout",
  async (req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> => {
    const { id } = await params;
    return handleLicenseFileDownload(req, await getApiServices(), id);
  },
);
