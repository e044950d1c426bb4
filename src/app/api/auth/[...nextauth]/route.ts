import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { buildAuthOptions } from "@/server/auth/web-session.ts";
import { apiRoute } from "@/server/http/api-route.ts";
import { BodyTooLargeError, readLimitedBody } from "@/server/http/body-limit.ts";
import { getServerRuntime } from "@/server/runtime.ts";
import { getApiServices } from "@/server/admin-services.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

/** The sign-in form's body within ADMIN_API_MAX_BODY_BYTES; over it, 413 `{ message }`. */
async function limited(req: NextRequest): Promise<NextRequest | Response> {
  if (req.method === "GET" || req.method === "HEAD" || req.body === null) return req;
  const limit = (await getServerRuntime()).config.http.adminMaxBodyBytes;
  try {
    const body = await readLimitedBody(req, limit);
    const headers = new Headers(req.headers);
    headers.delete("transfer-encoding");
    headers.delete("content-length");
    return new NextRequest(req.url, {
      method: req.method,
      headers,
      body: body as BodyInit,
      signal: req.signal,
    });
  } catch (error) {
    if (error instanceof BodyTooLargeError) return Response.json({ message: error.message }, { status: 413 });
    throw error;
  }
}

async function handler(req: NextRequest, context: RouteContext): Promise<Response> {
  const request = await limited(req);
  if (request instanceof Response) return request;
  const nextAuth = NextAuth(buildAuthOptions(await getApiServices())) as (
    req: NextRequest,
    ctx: RouteContext,
  ) => Promise<Response>;
  return nextAuth(request, context);
}

// sessions, CSRF tokens and sign-in answers: no-store like every API answer
const answered = apiRoute(handler);

export { answered as GET, answered as POST };
