// The headers every API answer carries, put on in the route files: the API's CSP (nothing in an
// answer runs or is framed), HSTS when the public URL is https, and Cache-Control: no-store unless
// the route says otherwise — answers carry tokens, new API keys, TOTP secrets, `.lic` files and
// whatever a signed-in admin may read; none of it belongs in a shared or browser cache.
// A 413 (body over the limit, src/server/http/body-limit.ts) also closes the connection, so the
// rest of an oversized upload is never read.
import { API_CSP, HSTS_VALUE, publicUrlIsHttps } from "./security-headers.ts";

export interface ApiHeaderOptions {
  /** Cache-Control when not no-store (public, unauthenticated files only) */
  cacheControl?: string;
  /** the Content-Security-Policy when not the API's (the Swagger UI page) */
  csp?: string;
}

/** `response` with the API's headers (a new Response: some answers' headers are immutable). */
export function withApiHeaders(response: Response, options: ApiHeaderOptions = {}): Response {
  const headers = new Headers(response.headers);
  headers.set("cache-control", options.cacheControl ?? "no-store");
  headers.set("content-security-policy", options.csp ?? API_CSP);
  if (publicUrlIsHttps()) headers.set("strict-transport-security", HSTS_VALUE);
  if (response.status === 413) headers.set("connection", "close");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

type Handler<R extends Request, A extends unknown[]> = (req: R, ...args: A) => Promise<Response> | Response;

/** A route handler whose answers get `withApiHeaders`. */
export function apiRoute<R extends Request, A extends unknown[]>(
  handler: Handler<R, A>,
  options: ApiHeaderOptions = {},
): (req: R, ...args: A) => Promise<Response> {
  return async (req, ...args) => withApiHeaders(await handler(req, ...args), options);
}
