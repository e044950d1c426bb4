// Where the browser may be sent after sign-in or sign-out: only paths of this origin. Shared by
// the sign-in form (a client component) and next-auth's redirect callback, so no server imports.
//
// A callbackUrl is parsed the way the browser will read it (the WHATWG URL parser: "\" is "/",
// tabs and newlines vanish, "/./" is removed), against this origin; only a same-origin http(s)
// result is kept, and only its path, query and fragment. Prefix checks on the raw string miss
// "/\evil.example", "/%09/evil.example" (decoded: a tab) and "/.//evil.example".

/** The path (+ query + fragment) of `value` if it stays on `origin`, else "/". */
export function safeRedirectPath(value: string | null | undefined, origin: string): string {
  if (!value) return "/";
  let base: URL;
  let url: URL;
  try {
    base = new URL(origin);
    url = new URL(value, base);
  } catch {
    return "/";
  }
  if (url.origin !== base.origin || (url.protocol !== "http:" && url.protocol !== "https:")) return "/";
  // a path that starts with "//" (from "/.//evil.example") would be read as another host
  const path = `${url.pathname.replace(/^\/+/, "/")}${url.search}${url.hash}`;
  // the same parse again must land on the same origin and the same path
  try {
    const again = new URL(path, base);
    if (again.origin !== base.origin || `${again.pathname}${again.search}${again.hash}` !== path) return "/";
  } catch {
    return "/";
  }
  return path;
}

/** The absolute URL of `value` on `baseUrl`'s origin, for next-auth's redirect callback. */
export function safeRedirectUrl(value: string, baseUrl: string): string {
  return `${new URL(baseUrl).origin}${safeRedirectPath(value, baseUrl)}`;
}
