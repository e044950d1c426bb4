// Where the sign-in form and next-auth's redirect callback may send the browser: this origin's
// paths only. Each hostile value is also resolved the way a browser would (WHATWG URL against the
// page), to show the answer stays on the origin.
import { describe, expect, it } from "vitest";
import { safeRedirectPath, safeRedirectUrl } from "../../src/server/auth/safe-redirect.ts";

const ORIGIN = "https://licenses.example.com";

/** What `callbackUrl` in the sign-in page's query decodes to (URLSearchParams, as the form reads it). */
const fromQuery = (raw: string) => new URLSearchParams(`callbackUrl=${raw}`).get("callbackUrl") ?? "";

describe("safeRedirectPath", () => {
  it.each([
    ["/", "/"],
    ["/licenses", "/licenses"],
    ["/licenses?status=active&page=2#top", "/licenses?status=active&page=2#top"],
    ["/customers/abc", "/customers/abc"],
    [`${ORIGIN}/audit?q=x`, "/audit?q=x"],
    ["licenses", "/licenses"],
    ["/a/../b", "/b"],
    // the same scheme as the page, so a path of it (as a browser reads it too)
    ["https:/evil.example", "/evil.example"],
  ])("keeps this origin's path %j as %j", (value, expected) => {
    expect(safeRedirectPath(value, ORIGIN)).toBe(expected);
  });

  it.each([
    fromQuery("/%5Cevil.example"),
    fromQuery("/%09/evil.example"),
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "//evil.example",
    "///evil.example",
    "//evil.example/%2e%2e",
    "https://evil.example",
    "https://evil.example/licenses",
    "http://licenses.example.com/", // another origin: the scheme differs
    "https://licenses.example.com:8443/",
    "https://licenses.example.com.evil.example/",
    "https://user@evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "http:evil.example",
    "",
    null,
    undefined,
  ])("sends %j to /", (value) => {
    expect(safeRedirectPath(value, ORIGIN)).toBe("/");
  });

  it.each([
    "/.//evil.example",
    "/./\\evil.example",
    "/%2e//evil.example",
    "/a/..//evil.example",
    "/..//evil.example",
  ])("keeps %j on this origin (the path would otherwise start with //)", (value) => {
    const path = safeRedirectPath(value, ORIGIN);
    expect(path.startsWith("//")).toBe(false);
    expect(new URL(path, ORIGIN).origin).toBe(ORIGIN);
  });

  it("never gives a value a browser would resolve to another origin (every hostile form above and more)", () => {
    const hosts = ["evil.example", "evil.example:443", "127.0.0.1", "[::1]"];
    const prefixes = [
      "//",
      "/\\",
      "\\/",
      "\\\\",
      "/\t/",
      "/\r\n/",
      " //",
      "/ /",
      "/./",
      "/../",
      "https:",
      "https://",
    ];
    let checked = 0;
    for (const prefix of prefixes) {
      for (const host of hosts) {
        const path = safeRedirectPath(`${prefix}${host}/x`, ORIGIN);
        expect(path.startsWith("/")).toBe(true);
        expect(path.startsWith("//")).toBe(false);
        // a browser's location.assign(path) on a page of ORIGIN
        expect(new URL(path, `${ORIGIN}/sign-in?callbackUrl=x`).origin).toBe(ORIGIN);
        checked++;
      }
    }
    expect(checked).toBe(prefixes.length * hosts.length);
  });

  it("refuses everything when the origin itself does not parse", () => {
    expect(safeRedirectPath("/licenses", "not a url")).toBe("/");
  });
});

describe("safeRedirectUrl (next-auth's redirect callback)", () => {
  it("answers absolute URLs on the base URL's origin", () => {
    expect(safeRedirectUrl("/licenses?x=1", "http://127.0.0.1:3000")).toBe(
      "http://127.0.0.1:3000/licenses?x=1",
    );
    expect(safeRedirectUrl("/sign-in", "http://127.0.0.1:3000")).toBe("http://127.0.0.1:3000/sign-in");
    expect(safeRedirectUrl("http://127.0.0.1:3000/audit", "http://127.0.0.1:3000")).toBe(
      "http://127.0.0.1:3000/audit",
    );
    for (const hostile of ["/\\evil.example", "/\t/evil.example", "//evil.example", "https://evil.example"]) {
      expect(safeRedirectUrl(hostile, "http://127.0.0.1:3000")).toBe("http://127.0.0.1:3000/");
    }
  });
});
