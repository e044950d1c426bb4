// POST /api/licenses/{id}/checkout: an offline license file as a download. It runs the REST
// operation POST /api/v1/licenses/{id}/checkout — same authentication, input checks, error mapping
// and error bodies — and turns its JSON answer into the file.
import { LICENSE_FILE_MEDIA_TYPE } from "@license-server/sdk/offline";
import type { ApiServices } from "./context.ts";
import { handleRestRequest } from "./handlers.ts";

interface CheckoutJson {
  fileName: string;
  content: string;
  issuance: { id: string; expiresAt: string };
}

/** The request body is optional: `{days?, fingerprint?, encrypt?}` as JSON, or nothing. */
export async function handleLicenseFileDownload(
  req: Request,
  services: ApiServices,
  licenseId: string,
): Promise<Response> {
  const text = await req.text();
  const headers = new Headers(req.headers);
  headers.delete("content-length");
  // the body can only be JSON: read it as such whatever it was labelled (`curl -d` says form data)
  headers.set("content-type", "application/json");
  const url = new URL(`/api/v1/licenses/${encodeURIComponent(licenseId)}/checkout`, req.url);
  const answer = await handleRestRequest(
    new Request(url, { method: "POST", headers, body: text.trim() === "" ? "{}" : text }),
    services,
  );
  if (answer.status !== 200) return answer;
  const { fileName, content, issuance } = (await answer.json()) as CheckoutJson;
  return new Response(content, {
    status: 200,
    headers: {
      "content-type": LICENSE_FILE_MEDIA_TYPE,
      // the name is ASCII-safe: a product code, a date, hex digits
      "content-disposition": `attachment; filename="${fileName}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "x-license-file-id": issuance.id,
      "x-license-file-expires-at": issuance.expiresAt,
    },
  });
}
