// Pages of the admin UI need a signed-in admin: without a session cookie there is nothing to show,
// so the browser goes straight to the sign-in page (and comes back after). An optimistic check
// only: the API checks the session on every request, and an expired cookie is sent to sign-in
// by the UI when the API answers 401.
import { NextResponse, type NextRequest } from "next/server";

const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

export function proxy(request: NextRequest) {
  // Prometheus' scrape endpoint is no page (src/app/metrics/route.ts; METRICS_TOKEN guards it)
  if (request.nextUrl.pathname === "/metrics") return NextResponse.next();
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next();
  const url = request.nextUrl.clone();
  const back = `${request.nextUrl.pathname}${request.nextUrl.search}`;
  url.pathname = "/sign-in";
  url.search = back === "/" ? "?callbackUrl=%2F" : `?callbackUrl=${encodeURIComponent(back)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // everything but the API, Next's assets, the sign-in page and the icon
  matcher: ["/((?!api/|_next/|sign-in|icon\\.svg|favicon\\.ico).*)"],
};
