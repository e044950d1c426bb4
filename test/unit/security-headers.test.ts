// The header values in one place (src/server/http/security-headers.ts) and the API's wrapper:
// HSTS and upgrade-insecure-requests only when the public URL is https; no-store by default.
import { afterEach, describe, expect, it } from "vitest";
import { withApiHeaders } from "../../src/server/http/api-route.ts";
import {
  API_CSP,
  HSTS_VALUE,
  newNonce,
  pageCsp,
  publicUrlIsHttps,
} from "../../src/server/http/security-headers.ts";

const saved = process.env.NEXTAUTH_URL;
afterEach(() => {
  if (saved === undefined) Reflect.deleteProperty(process.env, "NEXTAUTH_URL");
  else process.env.NEXTAUTH_URL = saved;
});

describe("security headers", () => {
  it("a page policy: the nonce, strict-dynamic, no unsafe-inline/eval for scripts, no framing", () => {
    const nonce = newNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(newNonce()).not.toBe(nonce);
    const csp = pageCsp(nonce);
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(pageCsp(nonce, { https: true })).toContain("upgrade-insecure-requests");
    // React's development build needs eval; production never gets it
    expect(pageCsp(nonce, { dev: true })).toMatch(/script-src[^;]*'unsafe-eval'/);
  });

  it("API answers: no-store unless said otherwise, the API's CSP, HSTS only behind https", async () => {
    process.env.NEXTAUTH_URL = "http://127.0.0.1:3000";
    expect(publicUrlIsHttps()).toBe(false);
    const plain = withApiHeaders(
      Response.json({ token: "secret" }, { headers: { "cache-control": "public" } }),
    );
    expect(plain.headers.get("cache-control")).toBe("no-store");
    expect(plain.headers.get("content-security-policy")).toBe(API_CSP);
    expect(plain.headers.get("strict-transport-security")).toBeNull();
    expect(await plain.json()).toEqual({ token: "secret" });

    process.env.NEXTAUTH_URL = "https://licenses.example.com";
    const secure = withApiHeaders(new Response("x"), { cacheControl: "public, max-age=60" });
    expect(secure.headers.get("strict-transport-security")).toBe(HSTS_VALUE);
    expect(secure.headers.get("cache-control")).toBe("public, max-age=60");
    const tooLarge = withApiHeaders(new Response("{}", { status: 413 }));
    expect(tooLarge.headers.get("connection")).toBe("close");
  });
});
