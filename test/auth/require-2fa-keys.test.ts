// "Require 2FA" binds API keys too (issue 13): while it is on, a key whose owner has no TOTP is
// refused with 403 and the reason on REST and tRPC, and the key listing says why; enrolling makes
// the key work again. Turning the requirement off needs a signed-in admin with 2FA: a
// super_admin's API key is refused. Through the real fetch handlers, on both databases.
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  OWNER_DISABLED_REASON,
  OWNER_WITHOUT_TWO_FACTOR_REASON,
} from "../../src/server/core/api-keys/key-status.ts";
import { totpCode } from "../../src/server/core/two-factor/totp.ts";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { SUPER_ADMIN_ACCOUNTS_NEED_SIGNED_IN_ADMIN } from "../../src/server/core/admins/rules.ts";
import { updateAdmin } from "../../src/server/core/admins/update-admin.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import type { Actor } from "../../src/server/core/context.ts";
import { readSettings } from "../../src/server/core/settings/settings.ts";
import {
  TWO_FACTOR_OFF_NEEDS_CODE_AT_SIGN_IN,
  TWO_FACTOR_OFF_NEEDS_SIGNED_IN_ADMIN,
  updateSettings,
} from "../../src/server/core/settings/update-settings.ts";
import { confirmTotp } from "../../src/server/core/two-factor/confirm-totp.ts";
import { enrollTotp } from "../../src/server/core/two-factor/enroll-totp.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { handleRestRequest, handleTrpcRequest } from "../../src/server/trpc/handlers.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { unique } from "../support/fixtures.ts";
import { testServices } from "../support/admin-services.ts";

const BASE = "http://127.0.0.1:3000";
const PASSWORD = "require two factor keys 7";

interface Json {
  [key: string]: unknown;
}
interface KeyRow {
  id: string;
  prefix: string;
  blockedReason: string | null;
}

describeEachDb("require 2FA binds API keys", (getDb) => {
  let db: TestDb;
  let services: ApiServices;
  let root: { email: string; secret: string; actor: Actor };
  let plain: { id: string; email: string; actor: Actor };
  /** root's own super_admin key (root has 2FA: the key works) */
  let rootKey: string;
  /** plain's key (plain has no 2FA yet) */
  let plainKey: { key: string; id: string };

  const rest = async (method: string, path: string, init: { token?: string; body?: unknown } = {}) => {
    const headers = new Headers();
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    if (init.body !== undefined) headers.set("content-type", "application/json");
    const response = await handleRestRequest(
      new Request(`${BASE}/api/v1${path}`, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
      services,
    );
    return { status: response.status, body: (await response.json()) as Json };
  };
  const trpcQuery = async (path: string, token: string, input: unknown = {}) => {
    const response = await handleTrpcRequest(
      new Request(`${BASE}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
        headers: { authorization: `Bearer ${token}` },
      }),
      services,
    );
    return { status: response.status, body: (await response.json()) as Json };
  };
  const trpcMutation = async (path: string, token: string, input: unknown) => {
    const response = await handleTrpcRequest(
      new Request(`${BASE}/api/trpc/${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(input),
      }),
      services,
    );
    return { status: response.status, body: (await response.json()) as Json };
  };
  const trpcError = (body: Json) => body.error as { message: string; data: { domainCode: string | null } };
  /** root signs in with password and a fresh TOTP code (each code works once: the clock moves on) */
  const rootToken = async () => {
    db.clock.advance(30_000);
    const signIn = await rest("POST", "/auth/login", {
      body: { email: root.email, password: PASSWORD, totp: await totpCode(root.secret, db.clock.now()) },
    });
    expect(signIn.status, JSON.stringify(signIn.body)).toBe(200);
    return signIn.body.token as string;
  };
  const listAll = async (token: string) => {
    const listed = await rest("GET", "/api-keys?all=true&includeRevoked=true", { token });
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    return listed.body.items as KeyRow[];
  };
  const requirement = async () => (await readSettings(db.handle.db)).requireTwoFactor;

  beforeAll(async () => {
    db = getDb();
    services = testServices(db, "k".repeat(40));
    const rootEmail = `${unique("root")}@example.com`;
    const rootAdmin = await createAdmin(db.ctx(), {
      email: rootEmail,
      role: "super_admin",
      password: PASSWORD,
    });
    const rootActor: Actor = {
      type: "admin",
      id: rootAdmin.id,
      label: rootEmail,
      role: "super_admin",
      groupIds: [],
    };
    const enrollment = await enrollTotp(db.ctx(rootActor));
    await confirmTotp(db.ctx(rootActor), { code: await totpCode(enrollment.secret, db.clock.now()) });
    root = { email: rootEmail, secret: enrollment.secret, actor: rootActor };
    rootKey = (await createApiKey(db.ctx(rootActor), { name: "root automation", role: "super_admin" })).key;

    const plainEmail = `${unique("plain")}@example.com`;
    const plainAdmin = await createAdmin(db.ctx(), { email: plainEmail, role: "admin", password: PASSWORD });
    const plainActor: Actor = {
      type: "admin",
      id: plainAdmin.id,
      label: plainEmail,
      role: "admin",
      groupIds: [],
    };
    plain = { id: plainAdmin.id, email: plainEmail, actor: plainActor };
    const created = await createApiKey(db.ctx(plainActor), { name: "plain's CI", role: "admin" });
    plainKey = { key: created.key, id: created.apiKey.id };
    expect(created.apiKey.blockedReason).toBeNull();
  });

  afterAll(async () => {
    await updateSettings(db.ctx(), { requireTwoFactor: false });
  });

  it("works before the requirement; once it is on, the key of an owner without 2FA gets 403 and why", async () => {
    expect((await rest("GET", "/settings", { token: plainKey.key })).status).toBe(200);
    const on = await rest("PATCH", "/settings", {
      token: await rootToken(),
      body: { requireTwoFactor: true },
    });
    expect(on.status, JSON.stringify(on.body)).toBe(200);

    // REST: every route, reading the settings included
    for (const path of ["/api-keys", "/settings", "/customers", "/profile"]) {
      const refused = await rest("GET", path, { token: plainKey.key });
      expect(refused.status, path).toBe(403);
      expect(refused.body.message).toBe(`this API key is blocked: ${OWNER_WITHOUT_TWO_FACTOR_REASON}`);
    }
    // tRPC: a query and a mutation
    const query = await trpcQuery("customers.list", plainKey.key);
    expect(query.status).toBe(403);
    expect(trpcError(query.body).message).toMatch(/two-factor authentication is required/);
    expect(trpcError(query.body).data.domainCode).toBe("FORBIDDEN");
    const mutation = await trpcMutation("apiKeys.create", plainKey.key, { name: "escape", role: "viewer" });
    expect(mutation.status).toBe(403);
    expect(trpcError(mutation.body).message).toMatch(/this API key is blocked/);
    // a blocked use does not count as a use
    const row = await db.handle.db.apiKey.findUniqueOrThrow({
      where: { id: plainKey.id },
      select: { lastUsedAt: true },
    });
    const usedBefore = row.lastUsedAt?.getTime();
    db.clock.advance(120_000);
    await rest("GET", "/settings", { token: plainKey.key });
    const after = await db.handle.db.apiKey.findUniqueOrThrow({
      where: { id: plainKey.id },
      select: { lastUsedAt: true },
    });
    expect(after.lastUsedAt?.getTime()).toBe(usedBefore);

    // a wrong key still looks like any bad key: 401, no reason
    const forged = await rest("GET", "/settings", { token: plainKey.key.slice(0, -2) + "zz" });
    expect(forged.status).toBe(401);

    // root has 2FA: its key still works
    expect((await rest("GET", "/customers", { token: rootKey })).status).toBe(200);
  });

  it("the key listing (REST and tRPC) says why the key is blocked", async () => {
    const items = await listAll(rootKey);
    const plainRow = items.find((k) => k.id === plainKey.id);
    expect(plainRow?.blockedReason).toBe(OWNER_WITHOUT_TWO_FACTOR_REASON);
    const rootRow = items.find((k) => k.id !== plainKey.id && k.blockedReason === null);
    expect(rootRow).toBeDefined();

    const viaTrpc = await trpcQuery("apiKeys.list", await rootToken(), { all: true });
    expect(viaTrpc.status).toBe(200);
    const data = (viaTrpc.body.result as { data: { items: KeyRow[] } }).data.items;
    expect(data.find((k) => k.id === plainKey.id)?.blockedReason).toBe(OWNER_WITHOUT_TWO_FACTOR_REASON);
  });

  it("a super_admin's API key cannot turn the requirement off (403 on REST and tRPC, domain too)", async () => {
    const viaRest = await rest("PATCH", "/settings", { token: rootKey, body: { requireTwoFactor: false } });
    expect(viaRest.status).toBe(403);
    expect(viaRest.body.message).toBe(TWO_FACTOR_OFF_NEEDS_SIGNED_IN_ADMIN);
    const viaTrpc = await trpcMutation("settings.update", rootKey, { requireTwoFactor: false });
    expect(viaTrpc.status).toBe(403);
    expect(trpcError(viaTrpc.body).message).toBe(TWO_FACTOR_OFF_NEEDS_SIGNED_IN_ADMIN);
    const keyActor: Actor = { type: "api_key", id: "k", label: "key", role: "super_admin", groupIds: [] };
    await expectDomainError(updateSettings(db.ctx(keyActor), { requireTwoFactor: false }), "FORBIDDEN");
    expect(await requirement()).toBe(true);
    // an empty patch changes nothing (found by attack: zod's .partial() kept the default `false`,
    // so `{}` from a signed-in super admin turned the requirement off); unknown fields are refused
    for (const token of [rootKey, await rootToken()]) {
      const empty = await rest("PATCH", "/settings", { token, body: {} });
      expect(empty.status, JSON.stringify(empty.body)).toBe(200);
      expect(empty.body).toEqual({ requireTwoFactor: true });
      expect(await requirement()).toBe(true);
      expect((await trpcMutation("settings.update", token, {})).status).toBe(200);
      expect(await requirement()).toBe(true);
      expect((await rest("PATCH", "/settings", { token, body: { other: 1 } })).status).toBe(400);
    }
    expect(await requirement()).toBe(true);
    // what is already so is no change: the key may write it
    expect(
      (await rest("PATCH", "/settings", { token: rootKey, body: { requireTwoFactor: true } })).status,
    ).toBe(200);
  });

  it("enrolling 2FA makes the owner's key work again", async () => {
    const enrollment = await enrollTotp(db.ctx(plain.actor));
    db.clock.advance(30_000);
    await confirmTotp(db.ctx(plain.actor), { code: await totpCode(enrollment.secret, db.clock.now()) });
    const works = await rest("GET", "/settings", { token: plainKey.key });
    expect(works.status, JSON.stringify(works.body)).toBe(200);
    expect((await listAll(rootKey)).find((k) => k.id === plainKey.id)?.blockedReason).toBeNull();
    expect((await trpcQuery("customers.list", plainKey.key)).status).toBe(200);
  });

  it("a disabled owner's key is refused (401) and listed as blocked for that", async () => {
    await updateAdmin(db.ctx(), { id: plain.id, disabled: true });
    try {
      expect((await rest("GET", "/settings", { token: plainKey.key })).status).toBe(401);
      const items = await listAll(rootKey);
      expect(items.find((k) => k.id === plainKey.id)?.blockedReason).toBe(OWNER_DISABLED_REASON);
    } finally {
      await updateAdmin(db.ctx(), { id: plain.id, disabled: false });
    }
    expect((await rest("GET", "/settings", { token: plainKey.key })).status).toBe(200);
  });

  it("an API key cannot make or take over a super admin account (found by attack: key → new super admin → enroll → off)", async () => {
    expect(await requirement()).toBe(true);
    const strong = "a brand new super admin 8";
    const made = await rest("POST", "/admins", {
      token: rootKey,
      body: { email: `${unique("keymade")}@example.com`, role: "super_admin", password: strong },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(403);
    expect(made.body.message).toBe(SUPER_ADMIN_ACCOUNTS_NEED_SIGNED_IN_ADMIN);
    // other accounts: the key may (its role allows it)
    const editor = await rest("POST", "/admins", {
      token: rootKey,
      body: { email: `${unique("keyeditor")}@example.com`, role: "editor", password: strong },
    });
    expect(editor.status, JSON.stringify(editor.body)).toBe(200);
    const editorId = editor.body.id as string;
    const promoted = await rest("PATCH", `/admins/${editorId}`, {
      token: rootKey,
      body: { role: "super_admin" },
    });
    expect(promoted.status).toBe(403);
    const viaTrpc = await trpcMutation("admins.create", rootKey, {
      email: `${unique("keymade")}@example.com`,
      role: "super_admin",
      password: strong,
    });
    expect(viaTrpc.status).toBe(403);
    // an existing super admin: no password reset, no change by a key
    const reset = await rest("POST", `/admins/${root.actor.id}/password`, {
      token: rootKey,
      body: { password: strong },
    });
    expect(reset.status).toBe(403);
    const changed = await rest("PATCH", `/admins/${root.actor.id}`, {
      token: rootKey,
      body: { name: "Renamed" },
    });
    expect(changed.status).toBe(403);
    expect(
      await db.handle.db.admin.count({ where: { role: "super_admin", email: { contains: "keymade" } } }),
    ).toBe(0);
    // a signed-in super admin may
    const bySession = await rest("POST", "/admins", {
      token: await rootToken(),
      body: { email: `${unique("sessionmade")}@example.com`, role: "super_admin", password: strong },
    });
    expect(bySession.status, JSON.stringify(bySession.body)).toBe(200);
  });

  it("lifting the requirement needs a sign-in that passed the code, not only an account that has 2FA now", async () => {
    const email = `${unique("late")}@example.com`;
    const late = await createAdmin(db.ctx(), { email, role: "super_admin", password: PASSWORD });
    // signed in with the password alone (the requirement lets it enroll), then enrolls
    const first = await rest("POST", "/auth/login", { body: { email, password: PASSWORD } });
    expect(first.status).toBe(200);
    expect(first.body.mustEnrollTwoFactor).toBe(true);
    const passwordOnly = first.body.token as string;
    const enrolled = await rest("POST", "/profile/totp/enroll", { token: passwordOnly, body: {} });
    expect(enrolled.status).toBe(200);
    const secret = enrolled.body.secret as string;
    db.clock.advance(30_000);
    const confirmed = await rest("POST", "/profile/totp/confirm", {
      token: passwordOnly,
      body: { code: await totpCode(secret, db.clock.now()) },
    });
    expect(confirmed.status).toBe(200);
    const refused = await rest("PATCH", "/settings", {
      token: passwordOnly,
      body: { requireTwoFactor: false },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(TWO_FACTOR_OFF_NEEDS_CODE_AT_SIGN_IN);
    expect(await requirement()).toBe(true);
    // a domain actor of that account without the marker: refused too
    const lateActor: Actor = { type: "admin", id: late.id, label: email, role: "super_admin", groupIds: [] };
    await expectDomainError(updateSettings(db.ctx(lateActor), { requireTwoFactor: false }), "FORBIDDEN");
    // signing in again with the code is what it takes (then the requirement goes back on)
    db.clock.advance(30_000);
    const again = await rest("POST", "/auth/login", {
      body: { email, password: PASSWORD, totp: await totpCode(secret, db.clock.now()) },
    });
    const off = await rest("PATCH", "/settings", {
      token: again.body.token as string,
      body: { requireTwoFactor: false },
    });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(
      (
        await rest("PATCH", "/settings", {
          token: again.body.token as string,
          body: { requireTwoFactor: true },
        })
      ).status,
    ).toBe(200);
    expect(await requirement()).toBe(true);
  });

  it("a signed-in admin with 2FA turns the requirement off; one without 2FA may not", async () => {
    // an admin actor whose account has no TOTP (a super admin can only be one with the requirement off
    // in force at sign-in; the domain checks the account, not the token)
    const bare = await createAdmin(db.ctx(), {
      email: `${unique("bare")}@example.com`,
      role: "super_admin",
      password: PASSWORD,
    });
    const bareActor: Actor = {
      type: "admin",
      id: bare.id,
      label: bare.email,
      role: "super_admin",
      groupIds: [],
    };
    await expectDomainError(updateSettings(db.ctx(bareActor), { requireTwoFactor: false }), "FORBIDDEN");
    expect(await requirement()).toBe(true);

    const off = await rest("PATCH", "/settings", {
      token: await rootToken(),
      body: { requireTwoFactor: false },
    });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(await requirement()).toBe(false);
    // tRPC, with a sign-in token: on again, then off again
    const token = await rootToken();
    expect((await trpcMutation("settings.update", token, { requireTwoFactor: true })).status).toBe(200);
    expect((await trpcMutation("settings.update", token, { requireTwoFactor: false })).status).toBe(200);
    expect(await requirement()).toBe(false);
  });
});
