// The SDK's `tls` option on both transports, against the real sidecar serving TLS and the real
// REST twin behind node:https, with a test PKI made by openssl: the vendor's CA is trusted, pins
// are checked, and a man in the middle (another CA, or the right CA with another key) makes the
// call "unreachable" (TransportUnavailableError), so the offline tiers decide.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../grpc-gateway/server.ts";
import { handleClientRestRequest } from "../../src/server/licensing-api/rest.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { openTestDb, type TestDb } from "../../test/support/db.ts";
import { missingTools } from "../../test/support/system-tools.ts";
import { makeCustomer, makeGroup, makeLicense, makeProduct } from "../../test/support/fixtures.ts";
import { startTlsGateway, TestPki, type Pem } from "../../test/support/tls.ts";
import { LicenseClient } from "../src/client/license-client.ts";
import { resolveTls, spkiPin, type LicenseTlsOptions } from "../src/client/tls.ts";
import {
  grpcTransport,
  restTransport,
  TransportUnavailableError,
  type LicenseTransport,
} from "../src/client/transport.ts";
import { maybeSet } from "../../test/support/maybe-set.ts";

/** The REST twin of `gateway`'s services behind node:https with `pem`. */
async function startHttpsTwin(gateway: Gateway, pem: Pem): Promise<{ url: string; server: Server }> {
  const server = createServer({ cert: pem.cert, key: pem.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const url = new URL(req.url ?? "/", "https://localhost");
        const route = /^\/api\/v1\/client\/([\w-]+)$/.exec(url.pathname)?.[1] ?? "";
        const request = new Request(url, {
          method: req.method,
          headers: { "content-type": req.headers["content-type"] ?? "application/json" },
          body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
        });
        const response = await handleClientRestRequest(request, gateway.services, route, "127.0.0.1");
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { url: `https://localhost:${typeof address === "object" && address ? address.port : 0}`, server };
}

const publicKeys = (transport: LicenseTransport) =>
  transport.call("getPublicKeys", { nonce: randomBytes(16) }).finally(() => {
    transport.close();
  });

describe.skipIf(missingTools("openssl"))("SDK transports with tls", () => {
  let db: TestDb;
  let pki: TestPki;
  let vendorCa: Pem;
  let rogueCa: Pem;
  let genuine: Pem;
  let otherKey: Pem;
  let mitm: Pem;
  let gateway: Gateway;
  let mitmGateway: Gateway;
  let twin: { url: string; server: Server };
  let mitmTwin: { url: string; server: Server };

  beforeAll(async () => {
    db = await openTestDb("sqlite");
    pki = new TestPki();
    vendorCa = pki.ca("vendor");
    rogueCa = pki.ca("rogue");
    genuine = pki.issue(vendorCa, "licenses");
    otherKey = pki.issue(vendorCa, "licenses-next");
    mitm = pki.issue(rogueCa, "mitm");
    gateway = await startTlsGateway(db, {
      certFile: genuine.certFile,
      keyFile: genuine.keyFile,
      clientCaFile: null,
    });
    mitmGateway = await startTlsGateway(db, {
      certFile: mitm.certFile,
      keyFile: mitm.keyFile,
      clientCaFile: null,
    });
    twin = await startHttpsTwin(gateway, genuine);
    mitmTwin = await startHttpsTwin(gateway, mitm);
  });
  afterAll(async () => {
    // (beforeAll may have failed half-way: close what it opened)
    for (const server of [maybeSet(twin)?.server, maybeSet(mitmTwin)?.server]) {
      server?.closeAllConnections();
      server?.close();
    }
    await maybeSet(gateway)?.shutdown();
    await maybeSet(mitmGateway)?.shutdown();
    await maybeSet(db)?.close();
    maybeSet(pki)?.remove();
  });

  const grpc = (tls?: LicenseTlsOptions, g = gateway, scheme = "") =>
    grpcTransport(`${scheme}localhost:${g.port}`, 10_000, tls);
  const rest = (tls?: LicenseTlsOptions, url = twin.url) => restTransport(url, 10_000, undefined, tls);
  const transports = [
    ["gRPC", grpc],
    ["REST", rest],
  ] as const;

  for (const [kind, make] of transports) {
    it(`${kind}: trusts the CA given, alone or with a pin of the server's key`, async () => {
      for (const tls of [
        { ca: vendorCa.cert },
        { ca: [rogueCa.cert, vendorCa.cert], pinSha256: genuine.pin },
      ]) {
        const answer = await publicKeys(make(tls));
        expect(answer.bytes.length).toBeGreaterThan(0);
      }
    });

    it(`${kind}: a pin of another key, or a server from another CA, is "unreachable"`, async () => {
      // the right CA, but not the pinned key (a mis-issued certificate for the vendor's name)
      await expect(publicKeys(make({ ca: vendorCa.cert, pinSha256: otherKey.pin }))).rejects.toThrow(
        TransportUnavailableError,
      );
      // the system roots do not know the vendor's private CA
      await expect(publicKeys(make({ pinSha256: genuine.pin }))).rejects.toThrow(TransportUnavailableError);
      // a CA the client does not trust
      await expect(publicKeys(make({ ca: rogueCa.cert }))).rejects.toThrow(TransportUnavailableError);
    });
  }

  it("a man in the middle (a genuine answer relayed under another CA's certificate) is refused on both", async () => {
    await expect(publicKeys(grpc({ ca: vendorCa.cert }, mitmGateway))).rejects.toThrow(
      TransportUnavailableError,
    );
    await expect(publicKeys(rest({ ca: vendorCa.cert }, mitmTwin.url))).rejects.toThrow(
      TransportUnavailableError,
    );
    // the relay does answer: the refusal is the certificate's
    expect((await publicKeys(grpc({ ca: rogueCa.cert }, mitmGateway))).bytes.length).toBeGreaterThan(0);
    expect((await publicKeys(rest({ ca: rogueCa.cert }, mitmTwin.url))).bytes.length).toBeGreaterThan(0);
  });

  it("LicenseClient: through a man in the middle it decides nothing online and keeps nothing", async () => {
    // node-locked: a valid answer carries a grace token for this machine
    const group = await makeGroup(db);
    const { product } = await makeProduct(db);
    const customer = await makeCustomer(db, group.id);
    const license = await makeLicense(db, customer.id, product.id, { type: "node_locked", seatLimit: 1 });
    const publicKeys = (await publicKeyring(db.handle.db)).map(({ kid, publicKeyPem }) => ({
      kid,
      publicKeyPem,
    }));
    const client = (transport: LicenseTransport | LicenseTransport[] | undefined, cacheDir: string) =>
      new LicenseClient({
        licenseKey: license.key,
        product: product.code,
        publicKeys,
        fingerprint: "fp-tls-client",
        cacheDir,
        now: db.clock.now,
        ...(transport ? { transport } : {}),
      });
    const tls = { ca: vendorCa.cert, pinSha256: genuine.pin };
    // the genuine server over TLS: valid online
    const honestDir = pki.file("honest", "") + "-dir";
    const honest = client(grpcTransport(`grpcs://localhost:${gateway.port}`, 10_000, tls), honestDir);
    expect(await honest.validate()).toMatchObject({ valid: true, tier: "online" });
    await honest.close();
    // which keeps a grace token: offline, its cache still says valid (the control for the end)
    const honestOffline = client(undefined, honestDir);
    expect(await honestOffline.validate()).toMatchObject({ valid: true, tier: "grace" });
    await honestOffline.close();
    // the same answers relayed under the rogue CA's certificate, on both transports
    const cacheDir = pki.file("mitm", "") + "-dir";
    const fooled = client(
      [
        grpcTransport(`localhost:${mitmGateway.port}`, 10_000, tls),
        restTransport(mitmTwin.url, 10_000, undefined, tls),
      ],
      cacheDir,
    );
    const result = await fooled.validate();
    expect(result.valid).toBe(false);
    expect(result.tier).not.toBe("online");
    await fooled.close();
    // nothing was kept: offline, the same cache gives no grace
    const offline = client(undefined, cacheDir);
    expect(await offline.validate()).toMatchObject({ valid: false, tier: "none" });
    await offline.close();
  });

  it("grpcs:// turns TLS on; a plaintext client does not reach the TLS sidecar", async () => {
    const answer = await publicKeys(grpc({ ca: vendorCa.cert, pinSha256: genuine.pin }, gateway, "grpcs://"));
    expect(answer.bytes.length).toBeGreaterThan(0);
    await expect(publicKeys(grpc(undefined))).rejects.toThrow(TransportUnavailableError);
  });

  it("nothing to misconfigure: tls with a plaintext address, bad pins or CAs are refused at once", () => {
    expect(() => grpcTransport(`http://localhost:${gateway.port}`, 1000, { ca: vendorCa.cert })).toThrow(
      /plaintext but tls is set/,
    );
    expect(() => grpcTransport(`grpc://localhost:${gateway.port}`, 1000, { ca: vendorCa.cert })).toThrow(
      TypeError,
    );
    expect(() => restTransport(`http://localhost:1`, 1000, undefined, { ca: vendorCa.cert })).toThrow(
      /not https:\/\/ but tls is set/,
    );
    expect(() => restTransport(twin.url, 1000, globalThis.fetch, { ca: vendorCa.cert })).toThrow(/not both/);
    expect(() => resolveTls({ pinSha256: "sha256/abc" })).toThrow(/tls.pinSha256\[0\]/);
    expect(() => resolveTls({ pinSha256: genuine.pin.slice(0, 40) + "===" })).toThrow(/not a base64 SHA-256/);
    expect(() => resolveTls({ pinSha256: [] })).toThrow(/empty/);
    expect(() => resolveTls({ ca: "not a certificate" })).toThrow(/tls.ca\[0\] holds no PEM certificate/);
    expect(resolveTls({ ca: [vendorCa.cert, rogueCa.cert], pinSha256: ` ${genuine.pin} ` })).toEqual({
      ca: [vendorCa.cert.trim(), rogueCa.cert.trim()],
      pins: new Set([genuine.pin]),
    });
    // the pin is the value of the recipe in the README and in LicenseTlsOptions
    const recipe = execFileSync(
      "sh",
      [
        "-c",
        'openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64',
        "sh",
        genuine.certFile,
      ],
      { encoding: "utf8" },
    );
    expect(spkiPin(genuine.cert)).toBe(recipe.trim());
  });
});
