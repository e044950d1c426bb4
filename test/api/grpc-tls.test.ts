// The sidecar's TLS on the wire, with the raw generated nice-grpc client and a test PKI made by
// openssl: who can reach a TLS-only sidecar (the test CA's clients; not plaintext, not a client
// trusting another CA, not one pinning another key, not one without a client certificate when
// GRPC_TLS_CLIENT_CA_FILE is set), what stops it from starting, and a certificate reload (SIGHUP)
// that new connections see while the server and its open connections stay.
import { spawn } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { ChannelCredentials } from "@grpc/grpc-js";
import { ClientError, createChannel, createClient, Status, type Channel } from "nice-grpc";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { missingTools } from "../support/system-tools.ts";
import type { Gateway } from "../../grpc-gateway/server.ts";
import { TlsFilesError } from "../../grpc-gateway/tls.ts";
import { serverIdentityCheck, spkiPin } from "../../sdk/src/client/tls.ts";
import {
  LicenseServiceDefinition,
  StatusCode,
  ValidateResponse,
} from "../../src/generated/proto/license/v1/license.ts";
import { ConfigError, loadConfig } from "../../src/server/config.ts";
import { createLogger } from "../../src/server/logger.ts";
import { ServerProcess } from "../../sdk/test/server-process.ts";
import { openTestDb, type TestDb } from "../support/db.ts";
import { makeWorld } from "../support/fixtures.ts";
import { startTlsGateway, TestPki, type Pem } from "../support/tls.ts";
import { maybeSet } from "../support/maybe-set.ts";

const nonce = () => randomBytes(16);

/** "ok" when a licensing call answered, else the gRPC status name (UNAVAILABLE: not reached). */
async function probe(channel: Channel): Promise<string> {
  const client = createClient(LicenseServiceDefinition, channel);
  try {
    await client.getPublicKeys({ nonce: nonce() }, { signal: AbortSignal.timeout(10_000) });
    return "ok";
  } catch (error) {
    if (error instanceof ClientError) return Status[error.code];
    throw error;
  } finally {
    channel.close();
  }
}

const tlsChannel = (port: number, ca: Pem, client?: Pem, pins?: string[]) =>
  createChannel(
    `127.0.0.1:${port}`,
    ChannelCredentials.createSsl(
      Buffer.from(ca.cert),
      client ? Buffer.from(client.key) : null,
      client ? Buffer.from(client.cert) : null,
      pins ? { checkServerIdentity: serverIdentityCheck({ ca: [ca.cert], pins: new Set(pins) }) } : {},
    ),
  );

/** The SPKI pin of the certificate a NEW TLS connection to the port is shown. */
function servedPin(port: number, ca: Pem): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, ca: ca.cert, ALPNProtocols: ["h2"] }, () => {
      const pin = spkiPin(new X509Certificate(socket.getPeerCertificate().raw));
      socket.destroy();
      resolve(pin);
    });
    socket.once("error", reject);
  });
}

describe.skipIf(missingTools("openssl"))("gRPC sidecar over TLS", () => {
  let db: TestDb;
  let pki: TestPki;
  let ca: Pem;
  let rogueCa: Pem;
  let server: Pem;
  const gateways: Gateway[] = [];

  const start = async (
    tls: Parameters<typeof startTlsGateway>[1],
    logger?: Parameters<typeof startTlsGateway>[2],
  ) => {
    const gateway = await startTlsGateway(db, tls, logger);
    gateways.push(gateway);
    return gateway;
  };

  beforeAll(async () => {
    db = await openTestDb("sqlite");
    pki = new TestPki();
    ca = pki.ca("vendor");
    rogueCa = pki.ca("rogue");
    server = pki.issue(ca, "server");
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.shutdown()));
  });
  afterAll(async () => {
    // (beforeAll may have failed half-way)
    await maybeSet(db)?.close();
    maybeSet(pki)?.remove();
  });

  it("answers Validate to a client trusting the test CA", async () => {
    const { license, product } = await makeWorld(db);
    const gateway = await start({ certFile: server.certFile, keyFile: server.keyFile, clientCaFile: null });
    const channel = tlsChannel(gateway.port, ca);
    try {
      const client = createClient(LicenseServiceDefinition, channel);
      const signed = await client.validate({
        licenseKey: license.key,
        client: { productCode: product.code, fingerprint: "fp-tls", clientVersion: "1.0.0", hostname: "tls" },
        nonce: nonce(),
      });
      expect(ValidateResponse.decode(signed.answer).status).toBe(StatusCode.STATUS_CODE_VALID);
    } finally {
      channel.close();
    }
  });

  it("is not reachable in plaintext, from a client trusting another CA, or pinning another key", async () => {
    const gateway = await start({ certFile: server.certFile, keyFile: server.keyFile, clientCaFile: null });
    expect(await probe(tlsChannel(gateway.port, ca))).toBe("ok");
    expect(await probe(tlsChannel(gateway.port, ca, undefined, [server.pin]))).toBe("ok");

    expect(await probe(createChannel(`127.0.0.1:${gateway.port}`))).toBe("UNAVAILABLE");
    expect(await probe(tlsChannel(gateway.port, rogueCa))).toBe("UNAVAILABLE");
    const otherKey = pki.issue(ca, "other-server");
    expect(await probe(tlsChannel(gateway.port, ca, undefined, [otherKey.pin]))).toBe("UNAVAILABLE");
  });

  it("a man in the middle with a certificate from an untrusted CA is refused", async () => {
    // the attacker's sidecar answers genuinely (same database), but shows a certificate of its own CA
    const mitm = pki.issue(rogueCa, "mitm");
    const gateway = await start({ certFile: mitm.certFile, keyFile: mitm.keyFile, clientCaFile: null });
    expect(await probe(tlsChannel(gateway.port, ca))).toBe("UNAVAILABLE");
    // the same server is reachable for who trusts its CA: the refusal above is the CA's
    expect(await probe(tlsChannel(gateway.port, rogueCa))).toBe("ok");
  });

  it("with GRPC_TLS_CLIENT_CA_FILE, only clients with a certificate from that CA get in", async () => {
    const clientCa = pki.ca("clients");
    const gateway = await start({
      certFile: server.certFile,
      keyFile: server.keyFile,
      clientCaFile: clientCa.certFile,
    });
    const member = pki.issue(clientCa, "client-member", { client: true });
    const stranger = pki.issue(rogueCa, "client-stranger", { client: true });
    expect(await probe(tlsChannel(gateway.port, ca, member))).toBe("ok");
    expect(await probe(tlsChannel(gateway.port, ca))).toBe("UNAVAILABLE");
    expect(await probe(tlsChannel(gateway.port, ca, stranger))).toBe("UNAVAILABLE");
    expect(await probe(createChannel(`127.0.0.1:${gateway.port}`))).toBe("UNAVAILABLE");
  });

  it("a reload swaps the certificate for new connections; the server and open connections stay", async () => {
    const first = pki.issue(ca, "rotating-1");
    const second = pki.issue(ca, "rotating-2");
    const files = {
      certFile: join(pki.dir, "live.crt"),
      keyFile: join(pki.dir, "live.key"),
      clientCaFile: null,
    };
    pki.install(first, files);
    const lines: string[] = [];
    const logger = createLogger({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const gateway = await start(files, logger);
    expect(await servedPin(gateway.port, ca)).toBe(first.pin);

    // a connection opened before the renewal
    const open = tlsChannel(gateway.port, ca);
    const openClient = createClient(LicenseServiceDefinition, open);
    await openClient.getPublicKeys({ nonce: nonce() });

    pki.install(second, files);
    // before the reload the old certificate is still served (nothing watches the files)
    expect(await servedPin(gateway.port, ca)).toBe(first.pin);
    expect(gateway.reloadTls()).toBe(true);
    expect(await servedPin(gateway.port, ca)).toBe(second.pin);
    expect(await probe(tlsChannel(gateway.port, ca, undefined, [second.pin]))).toBe("ok");
    expect(await probe(tlsChannel(gateway.port, ca, undefined, [first.pin]))).toBe("UNAVAILABLE");
    await openClient.getPublicKeys({ nonce: nonce() });
    open.close();

    // a failed reload (a half-written file, a key that does not match) keeps the old certificate
    writeFileSync(files.certFile, second.cert.slice(0, 100));
    expect(gateway.reloadTls()).toBe(false);
    pki.install({ ...second, key: first.key }, files);
    expect(gateway.reloadTls()).toBe(false);
    expect(await servedPin(gateway.port, ca)).toBe(second.pin);
    expect(await probe(tlsChannel(gateway.port, ca))).toBe("ok");
    const failures = lines.filter((line) => line.includes("TLS reload failed"));
    expect(failures).toHaveLength(2);
    expect(failures[0]).toContain("GRPC_TLS_CERT_FILE");
    expect(failures[1]).toContain("GRPC_TLS_KEY_FILE");
  });

  it("missing or bad files stop it at start, naming the setting", async () => {
    const other = pki.issue(ca, "mismatch");
    const garbage = pki.file("garbage.pem", "not a certificate\n");
    const cases: [Parameters<typeof startTlsGateway>[1], RegExp][] = [
      [
        { certFile: join(pki.dir, "nope.crt"), keyFile: server.keyFile, clientCaFile: null },
        /^GRPC_TLS_CERT_FILE: cannot read .*ENOENT/,
      ],
      [
        { certFile: server.certFile, keyFile: join(pki.dir, "nope.key"), clientCaFile: null },
        /^GRPC_TLS_KEY_FILE: cannot read/,
      ],
      [
        { certFile: garbage, keyFile: server.keyFile, clientCaFile: null },
        /^GRPC_TLS_CERT_FILE: .* holds no PEM certificate/,
      ],
      [
        { certFile: server.certFile, keyFile: garbage, clientCaFile: null },
        /^GRPC_TLS_KEY_FILE: .* not an unencrypted PEM private key/,
      ],
      [
        { certFile: server.certFile, keyFile: other.keyFile, clientCaFile: null },
        /^GRPC_TLS_KEY_FILE: .* is not the private key of the certificate/,
      ],
      [
        { certFile: server.certFile, keyFile: server.keyFile, clientCaFile: garbage },
        /^GRPC_TLS_CLIENT_CA_FILE: .* holds no PEM certificate/,
      ],
    ];
    for (const [tls, message] of cases) {
      const error = await start(tls).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, message.source).toBeInstanceOf(TlsFilesError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("the configuration wants the certificate and the key together", () => {
    const base = { DATA_DIR: pki.dir, JWT_SECRET: "x".repeat(32), ENCRYPTION_KEY: "00".repeat(32) };
    expect(loadConfig(base).grpcTls).toBeNull();
    expect(loadConfig({ ...base, GRPC_TLS_CERT_FILE: "a.crt", GRPC_TLS_KEY_FILE: "a.key" }).grpcTls).toEqual({
      certFile: join(process.cwd(), "a.crt"),
      keyFile: join(process.cwd(), "a.key"),
      clientCaFile: null,
    });
    expect(() => loadConfig({ ...base, GRPC_TLS_CERT_FILE: "a.crt" })).toThrow(/GRPC_TLS_KEY_FILE: not set/);
    expect(() => loadConfig({ ...base, GRPC_TLS_KEY_FILE: "a.key" })).toThrow(/GRPC_TLS_CERT_FILE: not set/);
    expect(() => loadConfig({ ...base, GRPC_TLS_CLIENT_CA_FILE: "ca.crt" })).toThrow(ConfigError);
  });
});

describe.skipIf(missingTools("openssl"))("the sidecar process (npm run gateway) with TLS", () => {
  let sidecar: ServerProcess;
  let pki: TestPki;

  beforeAll(async () => {
    sidecar = new ServerProcess();
    await sidecar.prepare();
    pki = new TestPki();
  });
  afterAll(async () => {
    await maybeSet(sidecar)?.close();
    maybeSet(pki)?.remove();
  });

  const spawnGateway = (env: Record<string, string>) => {
    const child = spawn(process.execPath, ["--import", "tsx", "grpc-gateway/main.ts"], {
      cwd: join(import.meta.dirname, "..", ".."),
      env: {
        ...process.env,
        DATA_DIR: sidecar.dir,
        GRPC_PORT: String(sidecar.port),
        GRPC_METRICS_PORT: "0",
        REAPER_INTERVAL_SECONDS: "0",
        LOG_LEVEL: "info",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const checks = new Set<() => void>();
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const check of checks) check();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!output.includes(text)) return;
          checks.delete(check);
          resolve();
        };
        checks.add(check);
        void exited.then((code) => {
          if (!output.includes(text))
            reject(new Error(`gateway exited (${code}) before "${text}":\n${output}`));
        });
        check();
      });
    return { child, seen, exited, output: () => output };
  };

  it("refuses to start on a missing file, naming the setting", async () => {
    const run = spawnGateway({
      GRPC_TLS_CERT_FILE: join(pki.dir, "missing.crt"),
      GRPC_TLS_KEY_FILE: join(pki.dir, "missing.key"),
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/gateway: cannot serve TLS: GRPC_TLS_CERT_FILE: cannot read .*missing\.crt/);
  });

  it("re-reads its certificate on SIGHUP", async () => {
    const ca = pki.ca("process-ca");
    const first = pki.issue(ca, "process-1");
    const second = pki.issue(ca, "process-2");
    const files = { certFile: join(pki.dir, "proc.crt"), keyFile: join(pki.dir, "proc.key") };
    pki.install(first, files);
    const run = spawnGateway({ GRPC_TLS_CERT_FILE: files.certFile, GRPC_TLS_KEY_FILE: files.keyFile });
    try {
      await run.seen("gRPC gateway listening");
      expect(await servedPin(sidecar.port, ca)).toBe(first.pin);
      pki.install(second, files);
      run.child.kill("SIGHUP");
      await run.seen("TLS certificates reloaded");
      expect(await servedPin(sidecar.port, ca)).toBe(second.pin);
      expect(run.child.exitCode).toBeNull();
    } finally {
      run.child.kill("SIGTERM");
      await run.exited;
    }
  });
});
