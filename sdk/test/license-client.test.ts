// The SDK's LicenseClient against a real server process (the gRPC sidecar on SQLite): online,
// through an outage on the grace token, back online with the same session and the usage counted
// once, and the offline tiers' defences (edited cache, edited grace token, clock rollback, grace
// expiry).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer } from "../../src/server/core/customers/create-customer.ts";
import { createFeature } from "../../src/server/core/features/create-feature.ts";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { revokeLicense } from "../../src/server/core/licenses/revoke-license.ts";
import { createProduct } from "../../src/server/core/products/create-product.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { LicenseClient, type LicenseClientOptions } from "../src/client/license-client.ts";
import type { LicenseClientEvents } from "../src/client/events.ts";
import { verifyGraceToken, type PublicKeyEntry } from "../src/grace-token.ts";
import { fingerprint, ServerProcess } from "./server-process.ts";

const HOUR = 3_600_000;

/** Records the events a client emits, by name. */
function recordEvents(client: LicenseClient) {
  const seen: { name: keyof LicenseClientEvents; payload: unknown }[] = [];
  const names: (keyof LicenseClientEvents)[] = [
    "validated",
    "invalid",
    "offline",
    "online",
    "grace-started",
    "grace-expiring",
    "expired",
    "feature-changed",
    "session-ended",
    "clock-tampered",
    "error",
  ];
  for (const name of names) client.on(name, (payload) => seen.push({ name, payload }));
  return { seen, names: () => seen.map((e) => e.name) };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("LicenseClient against a real server process", () => {
  const server = new ServerProcess();
  let keys: PublicKeyEntry[];
  let productCode: string;
  let newLicense: (
    extra?: Partial<Parameters<typeof createLicense>[1]>,
  ) => Promise<{ id: string; key: string }>;
  const cacheDirs: string[] = [];
  const clients: LicenseClient[] = [];

  const makeClient = (key: string, extra: Partial<LicenseClientOptions> = {}) => {
    const cacheDir = mkdtempSync(join(tmpdir(), "ls-sdk-cache-"));
    cacheDirs.push(cacheDir);
    const client = new LicenseClient({
      server: server.address,
      licenseKey: key,
      product: productCode,
      publicKeys: keys,
      fingerprint: fingerprint(),
      cacheDir,
      requestTimeoutMs: 2000,
      reconnect: { initialDelayMs: 100, maxDelayMs: 400 },
      ...extra,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    await server.prepare();
    const ctx = server.ctx();
    const product = await createProduct(ctx, { code: "acme-cad", name: "Acme CAD" });
    productCode = product.code;
    const pdf = await createFeature(ctx, { productId: product.id, code: "export-pdf", name: "Export PDF" });
    const calls = await createFeature(ctx, {
      productId: product.id,
      code: "api-calls",
      name: "API calls",
      kind: "metered",
      unit: "calls",
    });
    const group = await ctx.db.group.findFirstOrThrow({ select: { id: true } });
    const customer = await createCustomer(ctx, { name: "Initech", groupId: group.id });
    newLicense = (extra = {}) =>
      createLicense(ctx, {
        customerId: customer.id,
        productId: product.id,
        seatLimit: 3,
        heartbeatIntervalSeconds: 60,
        entitlements: [{ featureId: pdf.id }, { featureId: calls.id, quota: 1000 }],
        ...extra,
      });
    keys = (await publicKeyring(server.handle.db)).map(({ kid, publicKeyPem }) => ({ kid, publicKeyPem }));
    await server.start();
  });

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await server.close();
    for (const dir of cacheDirs) rmSync(dir, { recursive: true, force: true });
  });

  it("validates online: terms, entitlements, features, a grace token (node-locked)", async () => {
    const license = await newLicense({ type: "node_locked" });
    const client = makeClient(license.key);
    const events = recordEvents(client);
    const result = await client.validate();
    expect(result).toMatchObject({ valid: true, status: "VALID", tier: "online" });
    expect(result.license).toMatchObject({ licenseId: license.id, seatLimit: 3, customerName: "Initech" });
    expect(result.entitlements.map((e) => e.featureCode)).toEqual(["api-calls", "export-pdf"]);
    expect(result.validUntil?.getTime()).toBeGreaterThan(Date.now() + 71 * HOUR);
    expect(client.hasFeature("export-pdf")).toBe(true);
    expect(client.hasFeature("render-4k")).toBe(false);
    expect(events.names()).toEqual(["validated"]);
  });

  it("gets no grace token from Validate on a floating license: offline running needs a seat", async () => {
    const license = await newLicense();
    const client = makeClient(license.key);
    expect(await client.validate()).toMatchObject({ valid: true, tier: "online" });
    expect((client as unknown as { state: { graceToken?: string } }).state.graceToken ?? "").toBe("");
    const offline = makeClient(license.key, {
      server: "127.0.0.1:1",
      fingerprint: client.fingerprint,
      cacheDir: cacheDirs.at(-1) ?? "",
      requestTimeoutMs: 500,
    });
    expect((await offline.validate()).valid).toBe(false);
  });

  it("reports the server's refusal as it is, and keeps no grace for a revoked license", async () => {
    // node-locked: its Validate carries a grace token, the one a revocation must take away
    const license = await newLicense({ type: "node_locked" });
    const client = makeClient(license.key);
    expect((await client.validate()).valid).toBe(true);
    await revokeLicense(server.ctx(), { id: license.id });
    const result = await client.validate();
    expect(result).toMatchObject({ valid: false, status: "REVOKED", tier: "online" });
    expect(client.hasFeature("export-pdf")).toBe(false);
    // unreachable now: the revoked license's grace token is gone, nothing offline holds
    const offline = makeClient(license.key, {
      server: "127.0.0.1:1",
      fingerprint: client.fingerprint,
      cacheDir: cacheDirs.at(-2) ?? "",
      requestTimeoutMs: 500,
    });
    expect((await offline.validate()).valid).toBe(false);
  });

  it("keeps running through an outage on the grace token, then resumes the same session and counts queued usage once", async () => {
    const license = await newLicense();
    const client = makeClient(license.key);
    const events = recordEvents(client);
    const started = await client.start();
    expect(started).toMatchObject({ valid: true, tier: "online" });
    const sessionId = client.sessionId;
    expect(sessionId).toBeTruthy();
    expect((await client.recordUsage("api-calls", 2)).status).toBe("VALID");

    await server.kill();
    await client.heartbeatNow();
    expect(client.result).toMatchObject({ valid: true, tier: "grace" });
    expect(client.hasFeature("export-pdf")).toBe(true);
    expect(events.names()).toEqual(expect.arrayContaining(["offline", "grace-started"]));
    const queued = await Promise.all([
      client.recordUsage("api-calls", 5),
      client.recordUsage("api-calls", 7),
    ]);
    expect(queued.map((q) => q.status)).toEqual(["QUEUED", "QUEUED"]);
    expect(client.pendingUsage()).toHaveLength(2);

    await server.start();
    await waitFor(() => events.names().includes("online") && client.pendingUsage().length === 0);
    await waitFor(() => client.result?.tier === "online");
    expect(client.sessionId).toBe(sessionId);
    const sessions = await server.handle.db.session.findMany({
      where: { licenseId: license.id },
      select: { id: true, endedAt: true },
    });
    expect(sessions).toEqual([{ id: sessionId, endedAt: null }]);
    const usage = await server.handle.db.usageRecord.findMany({
      where: { licenseId: license.id },
      select: { amount: true },
      orderBy: { recordedAt: "asc" },
    });
    expect(usage.map((u) => u.amount).sort()).toEqual([2, 5, 7]);
    await client.flushUsage();
    expect(await server.handle.db.usageRecord.count({ where: { licenseId: license.id } })).toBe(3);

    await client.stop();
    const ended = await server.handle.db.session.findUniqueOrThrow({
      where: { id: sessionId ?? "" },
      select: { endReason: true },
    });
    expect(ended.endReason).toBe("deactivated");
    expect(events.names()).toContain("session-ended");
  });

  it("ignores an edited cache: the grace token in it is not trusted", async () => {
    const license = await newLicense({ type: "node_locked" });
    const fp = fingerprint();
    const client = makeClient(license.key, { fingerprint: fp });
    await client.validate();
    const cacheDir = cacheDirs.at(-1) ?? "";
    const name = readdirSync(cacheDir).find((f) => f.endsWith(".cache")) ?? "";
    const intactDir = mkdtempSync(join(tmpdir(), "ls-sdk-cache-"));
    cacheDirs.push(intactDir);
    writeFileSync(join(intactDir, name), readFileSync(join(cacheDir, name)));
    const bytes = readFileSync(join(cacheDir, name));
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0x01;
    writeFileSync(join(cacheDir, name), bytes);

    const offline = (dir: string) =>
      makeClient(license.key, {
        server: "127.0.0.1:1",
        fingerprint: fp,
        cacheDir: dir,
        requestTimeoutMs: 500,
      });
    // the unedited copy holds (grace token) …
    expect(await offline(intactDir).validate()).toMatchObject({ valid: true, tier: "grace" });
    // … the edited one is ignored, and said so
    const edited = offline(cacheDir);
    const events = recordEvents(edited);
    expect(await edited.validate()).toMatchObject({ valid: false, status: "OFFLINE", tier: "none" });
    expect(events.names()).toContain("error");
    // and on another machine the intact copy does not decrypt either
    const elsewhere = makeClient(license.key, {
      server: "127.0.0.1:1",
      fingerprint: "another-machine",
      cacheDir: intactDir,
      requestTimeoutMs: 500,
    });
    expect((await elsewhere.validate()).valid).toBe(false);
  });

  it("refuses a grace token with any change, and one from another machine", async () => {
    const license = await newLicense({ type: "node_locked" });
    const client = makeClient(license.key, { fingerprint: "machine-a" });
    await client.validate();
    const state = (client as unknown as { state: { graceToken: string } }).state;
    const token = state.graceToken;
    expect(
      (await verifyGraceToken(token, keys, { fingerprint: "machine-a", licenseKey: license.key })).valid,
    ).toBe(true);
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as { exp: number };
    claims.exp += 30 * 24 * 3600;
    const extended = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    expect(await verifyGraceToken(extended, keys, { fingerprint: "machine-a" })).toEqual({
      valid: false,
      reason: "BAD_SIGNATURE",
    });
    expect((await verifyGraceToken(token, keys, { fingerprint: "machine-b" })).valid).toBe(false);
  });

  it("detects a clock set back, and enforces the grace period's end (injected clock)", async () => {
    // node-locked: its Validate carries the 72 h grace token (floating ones come with a seat)
    const license = await newLicense({ type: "node_locked" });
    let now = new Date();
    const client = makeClient(license.key, { now: () => now });
    const events = recordEvents(client);
    expect((await client.validate()).tier).toBe("online");
    // the server is unreachable from here on
    const offline = makeClient(license.key, {
      server: "127.0.0.1:1",
      fingerprint: client.fingerprint,
      cacheDir: cacheDirs.at(-1) ?? "",
      now: () => now,
      requestTimeoutMs: 500,
    });
    const offlineEvents = recordEvents(offline);
    now = new Date(now.getTime() + 2 * HOUR);
    expect(await offline.validate()).toMatchObject({ valid: true, tier: "grace" });

    now = new Date(now.getTime() - 24 * HOUR);
    expect(await offline.validate()).toMatchObject({ valid: false, status: "CLOCK_TAMPERED" });
    expect(offlineEvents.names()).toContain("clock-tampered");

    now = new Date(now.getTime() + 24 * HOUR + 69 * HOUR); // 71 h after the token: warned, still valid
    expect(await offline.validate()).toMatchObject({ valid: true, tier: "grace" });
    expect(offlineEvents.names()).toContain("grace-expiring");
    now = new Date(now.getTime() + 2 * HOUR); // 73 h: the 72 h grace is over
    expect(await offline.validate()).toMatchObject({ valid: false, status: "EXPIRED" });
    expect(offlineEvents.names()).toContain("expired");
    expect(events.names()).toEqual(["validated"]);
  });
});
