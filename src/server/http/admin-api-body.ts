// The admin API's body limit (ADMIN_API_MAX_BODY_BYTES), in the route files before any handler
// reads: over the limit (Content-Length, or counted as it streams) the answer is 413 in the error
// shape of the face that was called.
// - tRPC (/api/trpc): the body stream errors with tRPC's PAYLOAD_TOO_LARGE, which tRPC answers in
//   its error envelope (one per call of a batch).
// - REST (/api/v1, the `.lic` download): trpc-to-openapi reads the body before anything else and
//   would call any read error a PARSE_ERROR (400), so the body is read here (at most the limit)
//   and the 413 is the REST API's error body: the formatted tRPC error shape with the code's name.
import { TRPCError } from "@trpc/server";
import { getErrorShape } from "@trpc/server/unstable-core-do-not-import";
import { getServerRuntime } from "../runtime.ts";
import { appRouter } from "../trpc/router.ts";
import { BodyTooLargeError, readLimitedBody, withLimitedBody } from "./body-limit.ts";

async function adminLimit(): Promise<number> {
  return (await getServerRuntime()).config.http.adminMaxBodyBytes;
}

function tooLargeError(limit: number): TRPCError {
  return new TRPCError({
    code: "PAYLOAD_TOO_LARGE",
    message: `the request body is larger than ${limit} bytes`,
  });
}

/** The tRPC face: `req` with its body limited (tRPC answers 413 itself). */
export async function limitTrpcBody(req: Request): Promise<Request> {
  const limit = await adminLimit();
  return withLimitedBody(req, limit, () => tooLargeError(limit));
}

/** The REST API's 413, as trpc-to-openapi answers errors: `{ message, code, data }`. */
export function restTooLarge(limit: number): Response {
  const error = tooLargeError(limit);
  const shape = getErrorShape({
    config: appRouter._def._config,
    error,
    type: "unknown",
    path: undefined,
    input: undefined,
    ctx: undefined,
  });
  return Response.json({ ...shape, message: error.message, code: error.code }, { status: 413 });
}

/** The REST faces: `req` with its body read in (at most the limit), or the 413 answer. */
export async function limitRestBody(req: Request): Promise<Request | Response> {
  if (req.method === "GET" || req.method === "HEAD" || req.body === null) return req;
  const limit = await adminLimit();
  let body: Uint8Array;
  try {
    body = await readLimitedBody(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return restTooLarge(limit);
    throw error;
  }
  const headers = new Headers(req.headers);
  // the new body's length is the new request's business
  headers.delete("transfer-encoding");
  headers.delete("content-length");
  return new Request(req.url, { method: req.method, headers, body: body as BodyInit, signal: req.signal });
}
