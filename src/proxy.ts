// Every page (not the API, not Next's assets) passes here:
// - Security headers: a Content-Security-Policy with a fresh nonce per request, which Next puts on
//   its own scripts (it reads the policy from the request header) and the root layout on the theme
//   script (from `x-nonce`); no framing (frame-ancestors 'none'); HSTS when the public URL is https.
//   The headers that never change come from next.config.ts (src/server/http/security-headers.ts).
// - Pages of the admin UI need a signed-in admin: without a session cookie there is nothing to
//   show, so the browser goes straight to the sign-in page (and comes back after). An optimistic
//   check only: the API checks the session on every request, and an expired cookie is sent to
//   sign-in by the UI when the API answers 401.
import { NextResponse, type NextRequest } from "next/server";
import { HSTS_VALUE, newNonce, pageCsp, publicUrlIsHttps } from "@/server/http/security-headers.ts";

const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

/** Paths that are no page of the admin UI, or that are open without a session. */
function open(pathname: string): boolean {
  // Prometheus' scrape endpoint (src/app/metrics/route.ts; METRICS_TOKEN guards it), the icon, the
  // sign-in page
  return (
    pathname === "/metrics" ||
    pathname === "/icon.svg" ||
    pathname === "/favicon.ico" ||
    pathname === "/sign-in" ||
    pathname.startsWith("/sign-in/")
  );
}

function withSecurityHeaders(response: NextResponse, csp: string, https: boolean): NextResponse {
  response.headers.set("Content-Security-Policy", csp);
  if (https) response.headers.set("Strict-Transport-Security", HSTS_VALUE);
  return response;
}

export function proxy(request: NextRequest) {
  const https = publicUrlIsHttps();
  const nonce = newNonce();
  const csp = pageCsp(nonce, { dev: process.env.NODE_ENV === "development", https });
  const { pathname } = request.nextUrl;

  if (open(pathname) || SESSION_COOKIES.some((name) => request.cookies.has(name))) {
    const headers = new Headers(request.headers);
    headers.set("x-nonce", nonce);
    headers.set("Content-Security-Policy", csp);
    return withSecurityHeaders(NextResponse.next({ request: { headers } }), csp, https);
  }
  const url = request.nextUrl.clone();
  const back = `${pathname}${request.nextUrl.search}`;
  url.pathname = "/sign-in";
  url.search = back === "/" ? "?callbackUrl=%2F" : `?callbackUrl=${encodeURIComponent(back)}`;
  return withSecurityHeaders(NextResponse.redirect(url), csp, https);
}

export const config = {
  // everything but the API (its route files set its headers: src/server/http/api-route.ts; a proxy
  // there would also make Next buffer request bodies) and Next's build assets
  matcher: ["/((?!api/|_next/static/|_next/image).*)"],
};
