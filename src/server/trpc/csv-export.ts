// GET /api/v1/{licenses,customers,sessions,audit-events}/export.csv (docs/exports.md): a list as a CSV download, with the
// list's query parameters as its filters. Same credentials as the REST API (Bearer token or API
// key, or the admin web app's session cookie), the domain's permission and group checks, the REST
// face's error answers. The rows stream page by page (the domain reads them by keyset as the
// client consumes the body), so an export of any size holds one page in memory.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { getErrorShape } from "@trpc/server/unstable-core-do-not-import";
import { stringify } from "csv-stringify/sync";
import type { DomainContext } from "../core/context.ts";
import { DomainError } from "../core/errors.ts";
import type { ExportCell, TableExport } from "../core/shared/table-export.ts";
import { clientIp, createApiContext, domainContext, type ApiContext, type ApiServices } from "./context.ts";
import { toTrpcError } from "./errors.ts";
import { appRouter } from "./router.ts";

export const CSV_MEDIA_TYPE = "text/csv; charset=utf-8";

/**
 * A cell as text. Dates in ISO-8601 (UTC), null as empty, and text that a spreadsheet would run
 * as a formula (starting with = + - @, a tab or a carriage return) behind a leading "'".
 */
export function csvCell(value: ExportCell): string | number | boolean {
  if (value === null) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== "string") return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Rows as CSV text (RFC 4180: CRLF line ends, fields quoted where needed). */
export function csvText(rows: ExportCell[][]): string {
  return stringify(
    rows.map((row) => row.map(csvCell)),
    { record_delimiter: "windows", cast: { boolean: (value) => (value ? "true" : "false") } },
  );
}

/** The REST face's error answer for an error of an export. */
function restError(cause: unknown, ctx: ApiContext, path: string): Response {
  const error = toTrpcError(cause);
  const shape = getErrorShape({
    config: appRouter._def._config,
    error,
    type: "query",
    path,
    input: undefined,
    ctx,
  });
  const body = { ...shape, code: error.code };
  return new Response(JSON.stringify(body), {
    status: getHTTPStatusCodeFromError(error),
    headers: { "content-type": "application/json" },
  });
}

/**
 * The query string as the list's input (one value per name, the last one given), and on a POST
 * the JSON object of the body over it (the admin UI's "Export selected": `{ ids }`, too long for
 * a URL).
 */
async function requestInput(req: Request, url: URL): Promise<Record<string, unknown>> {
  const query = Object.fromEntries(url.searchParams);
  if (req.method !== "POST") return query;
  const text = await req.text();
  if (text.trim() === "") return query;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    throw new TRPCError({ code: "PARSE_ERROR", message: "Failed to parse request body", cause });
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new TRPCError({ code: "BAD_REQUEST", message: "the body must be a JSON object" });
  return { ...query, ...body };
}

/** `run`: the domain's export; it parses the query's values with the list's own schema. */
export async function handleCsvExport(
  req: Request,
  services: ApiServices,
  run: (domain: DomainContext, input: never) => Promise<TableExport>,
): Promise<Response> {
  const url = new URL(req.url);
  const ctx = await createApiContext(services, req.headers, clientIp(services, req.headers), req.method);
  let table: TableExport;
  try {
    if (!ctx.actor) {
      if (ctx.authError instanceof DomainError && ctx.authError.code === "FORBIDDEN") throw ctx.authError;
      throw new TRPCError({
        code: "UNAUTHORIZED",
        message: ctx.authError?.message ?? "sign in or send Authorization: Bearer <token or API key>",
      });
    }
    table = await run(domainContext(ctx, ctx.actor), (await requestInput(req, url)) as never);
  } catch (error) {
    if (toTrpcError(error).code === "INTERNAL_SERVER_ERROR")
      services.logger.error({ err: error, path: url.pathname }, "export failed");
    return restError(error, ctx, url.pathname);
  }

  const iterator = table.pages[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvText([[...table.columns]])));
    },
    // one page per pull: the next page is read only when the client has taken the last one
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(csvText(next.value)));
      } catch (error) {
        // the status line has gone: the client sees a cut-off body
        services.logger.error({ err: error, path: url.pathname }, "export failed while streaming");
        controller.error(new Error("export failed"));
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  const date = services.clock.now().toISOString().slice(0, 10);
  // the name's parts are ASCII-safe: a fixed stem, a license key, a date
  const fileName = `${table.name}-${date}.csv`.replace(/[^A-Za-z0-9._-]/g, "_");
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": CSV_MEDIA_TYPE,
      "content-disposition": `attachment; filename="${fileName}"`,
      "x-content-type-options": "nosniff",
    },
  });
}
