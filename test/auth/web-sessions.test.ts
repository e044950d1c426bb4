// Web sessions end server-side: next-auth's own handler (AuthHandler, what the route file runs)
// with our options, its cookies carried by hand, and the admin API (tRPC and REST fetch handlers)
// with the same cookie. Each attack from issue 13: a refresh after sign-out or a password change
// handed out a fresh cookie that worked; a signed-out cookie could be refreshed for ever; a
// callbackUrl like /%5Cevil.example left the site.
import { createRequire } from "node:module";
import type { AuthOptions } from "next-auth";
import { decode, encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEER_HEADER, PEER_STAMP_FLAG } from "../../src/server/client-address.ts";
import { buildAuthOptions, webSessionSecret } from "../../src/server/auth/web-session.ts";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { setAdminPassword } from "../../src/server/core/admins/set-admin-password.ts";
import { updateAdmin } from "../../src/server/core/admins/update-admin.ts";
import type { Actor } from "../../src/server/core/context.ts";
import { createWebSession, WEB_SESSION_MAX_AGE_SECONDS } from "../../src/server/core/web-sessions/store.ts";
import { LoginLimiter } from "../../src/server/auth/rate-limit.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { handleRestRequest, handleTrpcRequest } from "../../src/server/trpc/handlers.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { unique } from "../support/fixtures.ts";
import { testServices } from "../support/admin-services.ts";

const JWT_SECRET = "w".repeat(40);
const PASSWORD = "web session password 1";
/** next-auth's origin when NEXTAUTH_URL is not set */
const ORIGIN = "http://localhost:3000";
const COOKIE = "next-auth.session-token";
const HOUR = 3_600_000;
/** the socket address, as the launcher's preload stamps it (scripts/lib/peer-stamp.mjs) */
const PEER = "198.51.100.7";

// next-auth's core handler, which its route handler runs after reading Next's request; the package
// does not export it, so it is loaded by file (types: next-auth/core/index.d.ts, in short)
interface RequestInternal {
  action: "csrf" | "callback" | "session" | "signout" | "signin" | "providers" | "error" | "verify-request";
  providerId?: string;
  method?: string;
  cookies?: Record<string, string>;
  headers?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: Record<string, string>;
}
interface InternalCookie {
  name: string;
  value: string;
  options: { maxAge?: number; expires?: Date };
}
interface ResponseInternal {
  status?: number;
  body?: unknown;
  redirect?: string;
  cookies?: InternalCookie[];
}
const { AuthHandler } = createRequire(import.meta.url)(
  new URL("../../node_modules/next-auth/core/index.js", import.meta.url).pathname,
) as { AuthHandler: (params: { req: RequestInternal; options: AuthOptions }) => Promise<ResponseInternal> };

/** One browser: its cookie jar, and next-auth's endpoints as the sign-in page and the UI call them. */
class Browser {
  readonly jar = new Map<string, string>();
  /** the last API answer's body, for failure messages */
  lastBody = "";
  constructor(
    private readonly services: ApiServices,
    readonly userAgent = "Mozilla/5.0 (test browser)",
  ) {}

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  get session(): string | undefined {
    return this.jar.get(COOKIE);
  }

  async auth(
    action: RequestInternal["action"],
    init: {
      method?: string;
      body?: Record<string, string>;
      providerId?: string;
      query?: Record<string, unknown>;
    } = {},
  ): Promise<ResponseInternal> {
    const response = await AuthHandler({
      req: {
        action,
        providerId: init.providerId,
        method: init.method ?? "GET",
        cookies: Object.fromEntries(this.jar),
        headers: { "user-agent": this.userAgent, [PEER_HEADER]: PEER, host: "localhost:3000" },
        query: init.query ?? {},
        body: init.body ?? {},
      },
      options: buildAuthOptions(this.services),
    });
    for (const cookie of response.cookies ?? []) {
      if (cookie.value === "" || cookie.options.maxAge === 0) this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, cookie.value);
    }
    return response;
  }

  async csrf(): Promise<string> {
    const response = await this.auth("csrf");
    return (response.body as { csrfToken: string }).csrfToken;
  }

  async signIn(email: string, password = PASSWORD, callbackUrl?: string): Promise<ResponseInternal> {
    const csrfToken = await this.csrf();
    return this.auth("callback", {
      method: "POST",
      providerId: "credentials",
      body: { csrfToken, email, password, json: "true", ...(callbackUrl ? { callbackUrl } : {}) },
    });
  }

  /** GET /api/auth/session: the session (or {}) and the session cookies it set. */
  async refresh(): Promise<{ body: Record<string, unknown>; cookies: ResponseInternal["cookies"] }> {
    const response = await this.auth("session");
    return {
      body: response.body as Record<string, unknown>,
      cookies: (response.cookies ?? []).filter((c) => c.name.startsWith(COOKIE)),
    };
  }

  async signOut(callbackUrl?: string): Promise<ResponseInternal> {
    const csrfToken = await this.csrf();
    return this.auth("signout", {
      method: "POST",
      body: { csrfToken, json: "true", ...(callbackUrl ? { callbackUrl } : {}) },
    });
  }

  /** A same-origin request with this browser's cookie, as the admin UI makes it. */
  request(url: string, method: string, body?: object): Request {
    return new Request(url, {
      method,
      headers: {
        cookie: this.cookieHeader(),
        host: "localhost:3000",
        origin: ORIGIN,
        "sec-fetch-site": "same-origin",
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  /** tRPC with this browser's cookie (a same-origin request, as the admin UI makes it). */
  async trpc(path: string, input: object = {}, method: "GET" | "POST" = "GET"): Promise<number> {
    const url =
      method === "GET"
        ? `${ORIGIN}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`
        : `${ORIGIN}/api/trpc/${path}`;
    const response = await handleTrpcRequest(
      this.request(url, method, method === "POST" ? input : undefined),
      this.services,
    );
    this.lastBody = await response.text();
    return response.status;
  }

  async rest(method: string, path: string, body?: object): Promise<{ status: number; body: unknown }> {
    const response = await handleRestRequest(
      this.request(`${ORIGIN}/api/v1${path}`, method, body),
      this.services,
    );
    return { status: response.status, body: await response.json() };
  }
}

describeEachDb("web sessions through next-auth", (getDb) => {
  let db: TestDb;
  let services: ApiServices;
  const superActor: Actor = { type: "system", id: null, label: "system", role: "super_admin", groupIds: [] };

  async function makeAdmin(role: "editor" | "admin" = "editor") {
    const email = `${unique("web")}@example.com`;
    const admin = await createAdmin(db.ctx(superActor), { email, role, password: PASSWORD });
    const actor: Actor = { type: "admin", id: admin.id, label: email, role, groupIds: [] };
    return { id: admin.id, email, actor };
  }

  async function signedIn(email: string, userAgent?: string): Promise<Browser> {
    const browser = new Browser(services, userAgent);
    const response = await browser.signIn(email);
    expect(response.redirect, JSON.stringify(response.body)).toBe(`${ORIGIN}/`);
    expect(browser.session).toBeTruthy();
    return browser;
  }

  /** The cookie is dead everywhere: no session, the cookie cleared, the API refuses GET and POST. */
  async function expectEnded(browser: Browser) {
    const oldCookie = browser.session;
    expect(oldCookie).toBeTruthy();
    const refreshed = await browser.refresh();
    expect(refreshed.body).toEqual({});
    // what next-auth set is only the clearing of the cookie: no new session token
    expect(refreshed.cookies?.length).toBeGreaterThan(0);
    expect(refreshed.cookies?.every((c) => c.value === "" && c.options.maxAge === 0)).toBe(true);
    // the same old cookie once more, as a copy of it would be sent: still no session
    const copy = new Browser(services);
    copy.jar.set(COOKIE, oldCookie ?? "");
    expect((await copy.refresh()).body).toEqual({});
    expect(await copy.trpc("profile.get")).toBe(401);
    expect(await copy.trpc("settings.get")).toBe(401);
    expect(await copy.trpc("profile.enrollTotp", {}, "POST")).toBe(401);
    expect((await copy.rest("GET", "/profile")).status).toBe(401);
    expect((await copy.rest("POST", "/profile/sign-out-everywhere", {})).status).toBe(401);
  }

  beforeAll(() => {
    db = getDb();
    // the real time: next-auth's JWT exp is checked against it
    db.clock.set(new Date());
    // the address next-auth sees: the socket's, stamped as the launcher's preload does
    (globalThis as { [PEER_STAMP_FLAG]?: unknown })[PEER_STAMP_FLAG] = true;
    services = testServices(db, JWT_SECRET);
  });
  afterAll(() => {
    Reflect.deleteProperty(globalThis, PEER_STAMP_FLAG);
  });

  it("signs in with a server-side row whose id is in the cookie; the cookie works for the API", async () => {
    const { id, email } = await makeAdmin();
    const browser = await signedIn(email, "Firefox/140 test");
    const claims = await decode({ token: browser.session, secret: webSessionSecret(JWT_SECRET) });
    expect(claims?.sub).toBe(id);
    expect(typeof claims?.sid).toBe("string");
    const row = await db.handle.db.webSession.findUniqueOrThrow({ where: { id: String(claims?.sid) } });
    expect(row).toMatchObject({
      adminId: id,
      revokedAt: null,
      ip: "198.51.100.7",
      userAgent: "Firefox/140 test",
    });
    expect(row.id).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(WEB_SESSION_MAX_AGE_SECONDS * 1000);
    const { body } = await browser.refresh();
    // the cookie carries the row's end in whole seconds
    const end = new Date(Math.floor(row.expiresAt.getTime() / 1000) * 1000);
    expect(body).toMatchObject({ adminId: id, expires: end.toISOString() });
    expect(await browser.trpc("profile.get")).toBe(200);
    expect(await browser.trpc("profile.enrollTotp", {}, "POST")).toBe(200);
    const listed = await browser.rest("GET", "/profile/web-sessions");
    expect(listed.status).toBe(200);
    expect((listed.body as { items: { ip: string; userAgent: string }[] }).items).toEqual([
      expect.objectContaining({ ip: "198.51.100.7", userAgent: "Firefox/140 test" }),
    ]);
  });

  it("sign-out (POST /api/auth/signout with the cookie) ends the row: the cookie cannot be refreshed or used", async () => {
    const { email } = await makeAdmin();
    const browser = await signedIn(email);
    const cookie = browser.session ?? "";
    // a refresh before the sign-out: its fresh cookie must die with the session too
    await browser.refresh();
    const refreshedCookie = browser.session ?? "";
    const out = await browser.signOut();
    expect(out.cookies?.some((c) => c.name === COOKIE && c.value === "")).toBe(true);
    const sid = (await decode({ token: cookie, secret: webSessionSecret(JWT_SECRET) }))?.sid;
    const row = await db.handle.db.webSession.findUniqueOrThrow({ where: { id: String(sid) } });
    expect(row.revokedReason).toBe("sign_out");
    for (const stolen of [cookie, refreshedCookie]) {
      const copy = new Browser(services);
      copy.jar.set(COOKIE, stolen);
      await expectEnded(copy);
    }
  });

  it("a password change (own, through the API with the cookie) ends every web session of that admin", async () => {
    const { id, email } = await makeAdmin();
    const other = await makeAdmin();
    const browser = await signedIn(email);
    const laptop = await signedIn(email);
    const bystander = await signedIn(other.email);
    const changed = await browser.trpc(
      "profile.changePassword",
      { currentPassword: PASSWORD, newPassword: "a new web password 2" },
      "POST",
    );
    expect(changed).toBe(200);
    await expectEnded(browser);
    await expectEnded(laptop);
    expect(await db.handle.db.webSession.count({ where: { adminId: id, revokedAt: null } })).toBe(0);
    expect(
      await db.handle.db.webSession.count({ where: { adminId: id, revokedReason: "password_change" } }),
    ).toBe(2);
    // another admin is not touched
    expect(await bystander.trpc("profile.get")).toBe(200);
    // and the new password signs in again
    const again = new Browser(services);
    expect((await again.signIn(email, "a new web password 2")).redirect).toBe(`${ORIGIN}/`);
    expect(await again.trpc("profile.get")).toBe(200);
  });

  it("a password reset by a super admin ends the admin's web sessions", async () => {
    const { id, email } = await makeAdmin();
    const browser = await signedIn(email);
    await setAdminPassword(db.ctx(superActor), { id, password: "reset by the owner 3" });
    await expectEnded(browser);
  });

  describe("a sign-in racing a password reset (found by attack: 4 of 102 old-password sessions survived)", () => {
    it("the reset lands after the password was checked: the sign-in is refused (the hash checked is compared and set)", async () => {
      const { id, email } = await makeAdmin();
      const limiter = new LoginLimiter();
      const run = limiter.gate.run.bind(limiter.gate);
      let reset = false;
      // right after scrypt says yes to the old password, a super admin resets it
      limiter.gate.run = async (ip, check) => {
        const result = await run(ip, check);
        if (!reset) {
          reset = true;
          await setAdminPassword(db.ctx(superActor), { id, password: "reset while signing in 4" });
        }
        return result;
      };
      const browser = new Browser({ ...services, limiter });
      const response = await browser.signIn(email);
      expect(reset).toBe(true);
      expect(response.redirect ?? "").not.toBe(`${ORIGIN}/`);
      expect(browser.session).toBeUndefined();
      expect(await db.handle.db.webSession.count({ where: { adminId: id } })).toBe(0);
    });

    it("the reset lands after the sign-in was claimed but before its row exists: the row starts at the sign-in, so it is refused", async () => {
      const { id, email } = await makeAdmin();
      const start = new Date();
      // within one second: the JWT rule (whole seconds) would let it pass, the session's does not
      start.setMilliseconds(100);
      try {
        db.clock.set(new Date(start.getTime() + 300));
        await setAdminPassword(db.ctx(superActor), { id, password: "reset while signing in 5" });
        // the row the sign-in that began at `start` writes after the reset's revocation ran
        const row = await createWebSession(db.handle.db, { adminId: id, now: start });
        const browser = new Browser(services);
        browser.jar.set(
          COOKIE,
          await encode({
            token: { sub: id, email, sid: row.id, sexp: Math.floor(row.expiresAt.getTime() / 1000) },
            secret: webSessionSecret(JWT_SECRET),
            maxAge: 3600,
          }),
        );
        await expectEnded(browser);
      } finally {
        db.clock.set(new Date());
      }
    });
  });

  it("disabling ends the sessions, and enabling again does not bring them back; so does a role change", async () => {
    const { id, email } = await makeAdmin();
    const browser = await signedIn(email);
    await updateAdmin(db.ctx(superActor), { id, disabled: true });
    await updateAdmin(db.ctx(superActor), { id, disabled: false });
    await expectEnded(browser);
    const next = await signedIn(email);
    await updateAdmin(db.ctx(superActor), { id, role: "viewer" });
    await expectEnded(next);
    const rows = await db.handle.db.webSession.findMany({
      where: { adminId: id },
      select: { revokedReason: true },
    });
    expect(rows.map((r) => r.revokedReason).sort()).toEqual(["disabled", "role_change"]);
    // a change of only the groups keeps the session (the groups are re-read on each request)
    const third = await signedIn(email);
    await updateAdmin(db.ctx(superActor), { id, groupIds: [] });
    expect(await third.trpc("profile.get")).toBe(200);
  });

  it("sign out everywhere (REST, with the cookie) ends all of the admin's sessions, this one included, and is audited", async () => {
    const { id, email } = await makeAdmin();
    const other = await makeAdmin();
    const browsers = [await signedIn(email), await signedIn(email), await signedIn(email)];
    const bystander = await signedIn(other.email);
    const result = await browsers[0]?.rest("POST", "/profile/sign-out-everywhere", {});
    expect(result).toEqual({ status: 200, body: { ended: 3 } });
    for (const browser of browsers) await expectEnded(browser);
    expect(await bystander.trpc("profile.get")).toBe(200);
    const event = await db.handle.db.auditEvent.findFirstOrThrow({
      where: { action: "admin.sign_out_everywhere", targetId: id },
      select: { actorId: true },
    });
    expect(event.actorId).toBe(id);
    // an API key is no signed-in admin: it cannot sign anyone out (and has no web sessions)
  });

  it("ends one own session from the list; another admin's session id is not found", async () => {
    const { email } = await makeAdmin();
    const other = await makeAdmin();
    const phone = await signedIn(email, "phone");
    const desk = await signedIn(email, "desk");
    const theirs = await signedIn(other.email);
    const listed = (await desk.rest("GET", "/profile/web-sessions")).body as {
      items: { id: string; userAgent: string }[];
    };
    expect(listed.items.map((s) => s.userAgent).sort()).toEqual(["desk", "phone"]);
    const phoneId = listed.items.find((s) => s.userAgent === "phone")?.id ?? "";
    const theirId = String(
      (await decode({ token: theirs.session, secret: webSessionSecret(JWT_SECRET) }))?.sid,
    );
    expect(
      (await desk.rest("POST", `/profile/web-sessions/${encodeURIComponent(theirId)}/end`, {})).status,
    ).toBe(404);
    expect(await theirs.trpc("profile.get")).toBe(200);
    expect(
      (await desk.rest("POST", `/profile/web-sessions/${encodeURIComponent(phoneId)}/end`, {})).status,
    ).toBe(200);
    await expectEnded(phone);
    expect(await desk.trpc("profile.get")).toBe(200);
    // twice: already ended
    expect(
      (await desk.rest("POST", `/profile/web-sessions/${encodeURIComponent(phoneId)}/end`, {})).status,
    ).toBe(404);
  });

  it("a refresh never extends the session past its absolute lifetime", async () => {
    const { email } = await makeAdmin();
    const start = new Date();
    db.clock.set(start);
    try {
      const browser = await signedIn(email);
      const secret = webSessionSecret(JWT_SECRET);
      const first = await decode({ token: browser.session, secret });
      const sexp = Number(first?.sexp);
      const end = start.getTime() + WEB_SESSION_MAX_AGE_SECONDS * 1000;
      expect(sexp).toBe(Math.floor(end / 1000));
      // the cookie's own exp is at most the row's end
      expect(Number(first?.exp)).toBeLessThanOrEqual(sexp + 1);
      // refresh every hour, as an open tab does: the cookie's exp never moves past the row's end
      for (let hour = 1; hour < 8; hour++) {
        db.clock.set(new Date(start.getTime() + hour * HOUR));
        const { body } = await browser.refresh();
        expect(body.expires).toBe(new Date(sexp * 1000).toISOString());
        const claims = await decode({ token: browser.session, secret });
        // left on the row, from the real time the cookie was made (the test clock runs ahead)
        const left = Math.floor((sexp * 1000 - db.clock.now().getTime()) / 1000);
        expect(Number(claims?.exp) - Number(claims?.iat)).toBeLessThanOrEqual(left + 1);
        expect(Number(claims?.exp) - Number(claims?.iat)).toBeGreaterThanOrEqual(left - 2);
        expect(await browser.trpc("profile.get"), `${hour} h: ${browser.lastBody}`).toBe(200);
      }
      db.clock.set(new Date(end - 1000));
      expect(await browser.trpc("profile.get")).toBe(200);
      db.clock.set(new Date(end));
      await expectEnded(browser);
    } finally {
      db.clock.set(new Date());
    }
  });

  it("notes lastSeenAt at most once a minute", async () => {
    const { email } = await makeAdmin();
    const start = new Date();
    db.clock.set(start);
    try {
      const browser = await signedIn(email);
      const sid = String(
        (await decode({ token: browser.session, secret: webSessionSecret(JWT_SECRET) }))?.sid,
      );
      const lastSeen = async () =>
        (await db.handle.db.webSession.findUniqueOrThrow({ where: { id: sid } })).lastSeenAt.getTime();
      db.clock.set(new Date(start.getTime() + 30_000));
      await browser.trpc("profile.get");
      expect(await lastSeen()).toBe(start.getTime());
      db.clock.set(new Date(start.getTime() + 61_000));
      await Promise.all([browser.trpc("profile.get"), browser.trpc("profile.get"), browser.refresh()]);
      expect(await lastSeen()).toBe(start.getTime() + 61_000);
    } finally {
      db.clock.set(new Date());
    }
  });

  it("refuses a cookie without a session id (issued before server-side sessions) and one naming another admin's row", async () => {
    const { id, email } = await makeAdmin();
    const other = await makeAdmin();
    const secret = webSessionSecret(JWT_SECRET);
    const legacy = new Browser(services);
    legacy.jar.set(COOKIE, await encode({ token: { sub: id, email }, secret, maxAge: 3600 }));
    await expectEnded(legacy);
    // a real session of `other`, claimed for `id` (as a cookie forged with the key would)
    const theirs = await signedIn(other.email);
    const sid = (await decode({ token: theirs.session, secret }))?.sid;
    const swapped = new Browser(services);
    swapped.jar.set(
      COOKIE,
      await encode({ token: { sub: id, sid, sexp: 4_000_000_000 }, secret, maxAge: 3600 }),
    );
    await expectEnded(swapped);
    expect(await theirs.trpc("profile.get")).toBe(200);
  });

  it("reads the cookie next-auth reads (not a planted __Secure- one) and refuses odd cookies with a plain 401", async () => {
    const { email } = await makeAdmin();
    const browser = await signedIn(email);
    // NEXTAUTH_URL is http here: next-auth uses the plain name, so must the API
    browser.jar.set("__Secure-next-auth.session-token", "planted-junk");
    expect(await browser.trpc("profile.get"), browser.lastBody).toBe(200);
    for (const odd of ["%E0%A4%A", "", "x".repeat(7000)]) {
      const copy = new Browser(services);
      copy.jar.set(COOKIE, odd);
      expect(await copy.trpc("profile.get")).toBe(401);
      expect(copy.lastBody).not.toMatch(/URI malformed|Invalid URL|at \w+ \(/);
    }
    // a garbage Origin on a POST: not authenticated, not a parser's message
    const response = await handleTrpcRequest(
      new Request(`${ORIGIN}/api/trpc/profile.enrollTotp`, {
        method: "POST",
        headers: {
          cookie: browser.cookieHeader(),
          host: "localhost:3000",
          origin: "::garbage::",
          "content-type": "application/json",
        },
        body: "{}",
      }),
      services,
    );
    expect(response.status).toBe(401);
    expect(await response.text()).not.toMatch(/Invalid URL/);
  });

  it("deletes ended rows older than a day when someone signs in", async () => {
    const { id, email } = await makeAdmin();
    const old = new Date(Date.now() - 3 * 24 * HOUR);
    await db.handle.db.webSession.createMany({
      data: [
        { id: unique("old-expired"), adminId: id, createdAt: old, expiresAt: old, lastSeenAt: old },
        {
          id: unique("old-revoked"),
          adminId: id,
          createdAt: old,
          expiresAt: new Date(Date.now() + HOUR),
          lastSeenAt: old,
          revokedAt: old,
          revokedReason: "sign_out",
        },
      ],
    });
    await signedIn(email);
    expect(await db.handle.db.webSession.count({ where: { adminId: id } })).toBe(1);
  });

  describe("redirects after sign-in and sign-out (next-auth's redirect callback)", () => {
    it.each([
      ["/%5Cevil.example", `${ORIGIN}/%5Cevil.example`],
      ["/\\evil.example", `${ORIGIN}/`],
      ["/\t/evil.example", `${ORIGIN}/`],
      ["//evil.example", `${ORIGIN}/`],
      ["https://evil.example/", `${ORIGIN}/`],
      ["javascript:alert(1)", `${ORIGIN}/`],
      ["/licenses?status=active", `${ORIGIN}/licenses?status=active`],
    ])("sign-in with callbackUrl %j goes to %j", async (callbackUrl, expected) => {
      const { email } = await makeAdmin();
      const browser = new Browser(services);
      const response = await browser.signIn(email, PASSWORD, callbackUrl);
      expect(response.redirect).toBe(expected);
      expect(new URL(response.redirect ?? "").origin).toBe(ORIGIN);
    });

    it("sign-out with another site's callbackUrl goes to this origin", async () => {
      const { email } = await makeAdmin();
      const browser = await signedIn(email);
      expect((await browser.signOut("https://evil.example/x")).redirect).toBe(`${ORIGIN}/`);
      const again = await signedIn(email);
      expect((await again.signOut("/sign-in")).redirect).toBe(`${ORIGIN}/sign-in`);
    });
  });
});
