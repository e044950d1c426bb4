import NextAuth from "next-auth";
import { buildAuthOptions } from "@/server/auth/web-session.ts";
import { getApiServices } from "@/server/services.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

async function handler(req: Request, context: RouteContext): Promise<Response> {
  const nextAuth = NextAuth(buildAuthOptions(await getApiServices())) as (
    req: Request,
    ctx: RouteContext,
  ) => Promise<Response>;
  return nextAuth(req, context);
}

export { handler as GET, handler as POST };
