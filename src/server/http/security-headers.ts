// Security headers of every answer of the web app (issue 13). One place for the values:
// - next.config.ts sends the static ones on every path (also Next's assets and 404s);
// - src/proxy.ts sends the pages' Content-Security-Policy with a fresh nonce per request (Next puts
//   it on its own scripts, the root layout on the theme script) and HSTS;
// - src/server/http/api-route.ts sends the API answers' policy, HSTS and Cache-Control: no-store.
// Edge-safe: no Node APIs (the proxy may run on either runtime).

/** Sent on every answer, whatever the path. */
export const STATIC_SECURITY_HEADERS: readonly { key: string; value: string }[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  // old browsers without CSP frame-ancestors: no framing either (clickjacking)
  { key: "X-Frame-Options", value: "DENY" },
  {
    key: "Permissions-Policy",
    value: [
      "camera=()",
      "microphone=()",
      "geolocation=()",
      "payment=()",
      "usb=()",
      "serial=()",
      "hid=()",
      "midi=()",
      "display-capture=()",
      "clipboard-read=(self)",
      "clipboard-write=(self)",
    ].join(", "),
  },
];

/** HSTS, only when the public URL (NEXTAUTH_URL, which the launcher sets) is https. */
export const HSTS_VALUE = "max-age=31536000";

export function publicUrlIsHttps(env: Record<string, string | undefined> = process.env): boolean {
  return /^https:\/\//i.test(env.NEXTAUTH_URL ?? "");
}

/** A base64 nonce of 128 random bits (Web Crypto: works in both runtimes). */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The pages' policy: scripts only with this request's nonce (and what they load: 'strict-dynamic'),
 * no plugins, no framing, no foreign origins. Styles may be inline (React's style attributes and
 * the component library's); scripts may not. `dev` allows eval for React's development build.
 */
export function pageCsp(nonce: string, options: { dev?: boolean; https?: boolean } = {}): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${options.dev ? " ws: wss:" : ""}`,
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (options.https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** API answers (JSON, files): nothing in them may run or be framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The Swagger UI page (/api/docs): its own scripts and styles from /api/docs/assets, the OpenAPI
 * document from this origin; Swagger UI sets inline styles and uses data: images.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");
