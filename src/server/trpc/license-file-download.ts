// POST /api/licenses/{id}/checkout: an offline license file as a download. It calls the same
// procedure as POST /api/v1/licenses/{id}/checkout in-process (tRPC's server-side caller: same
// authentication, permission, input checks and domain operation), and answers its errors with the
// REST API's statuses and bodies, so a client sees one API whichever route it took.
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPCError } from "@trpc/server";
import { getErrorShape } from "@trpc/server/unstable-core-do-not-import";
import { LICENSE_FILE_MEDIA_TYPE } from "@license-server/sdk/offline";
import { clientIp, createApiContext, type ApiContext, type ApiServices } from "./context.ts";
import { domainCause } from "./errors.ts";
import { appRouter } from "./router.ts";

const PATH = "offline.checkout";

/** The REST face's error answer (as trpc-to-openapi builds it) for an error of this procedure. */
function restError(cause: unknown, ctx: ApiContext, input: unknown): Response {
  const error = cause instanceof TRPCError ? cause : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause });
  const shape = getErrorShape({
    config: appRouter._def._config,
    error,
    type: "mutation",
    path: PATH,
    input,
    ctx,
  });
  const inputValidation =
    error.code === "BAD_REQUEST" && error.cause instanceof Error && error.cause.name === "ZodError";
  const body = {
    ...shape,
    message: inputValidation ? "Input validation failed" : shape.message,
    code: error.code,
    issues: inputValidation ? (error.cause as unknown as { issues: unknown }).issues : undefined,
  };
  const headers = new Headers({ "content-type": "application/json" });
  const retryAfter = domainCause(error)?.retryAfterSeconds;
  if (retryAfter !== undefined) headers.set("retry-after", String(retryAfter));
  return new Response(JSON.stringify(body), { status: getHTTPStatusCodeFromError(error), headers });
}

/** The body, optional: `{days?, fingerprint?, encrypt?}` as JSON (whatever it is labelled), or nothing. */
function checkoutInput(text: string, licenseId: string): unknown {
  if (text.trim() === "") return { id: licenseId };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new TRPCError({ code: "PARSE_ERROR", message: "Failed to parse request body", cause });
  }
  // as the REST face merges a JSON object with the path's id; anything else fails the schema
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? { ...parsed, id: licenseId }
    : parsed;
}

export async function handleLicenseFileDownload(
  req: Request,
  services: ApiServices,
  licenseId: string,
): Promise<Response> {
  const ctx = await createApiContext(services, req.headers, clientIp(services, req.headers), req.method);
  let input: unknown;
  try {
    input = checkoutInput(await req.text(), licenseId);
    const { fileName, content, issuance } = await appRouter
      .createCaller(ctx)
      .offline.checkout(input as never);
    return new Response(content, {
      status: 200,
      headers: {
        "content-type": LICENSE_FILE_MEDIA_TYPE,
        // the name is ASCII-safe: a product code, a date, hex digits
        "content-disposition": `attachment; filename="${fileName}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "x-license-file-id": issuance.id,
        "x-license-file-expires-at": issuance.expiresAt.toISOString(),
      },
    });
  } catch (error) {
    return restError(error, ctx, input);
  }
}
