// Test PKI made with Debian's openssl at test time (apt-get install -y openssl; global setup finds
// it, see system-tools.ts): certificate authorities, server and client certificates signed by
// them, and the gRPC sidecar serving TLS over a test database.
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGatewayServer, type Gateway } from "../../grpc-gateway/server.ts";
import type { GrpcTlsConfig } from "../../src/server/config.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { createLogger, type Logger } from "../../src/server/logger.ts";
import type { TestDb } from "./db.ts";
import { toolPath } from "./system-tools.ts";

export interface Pem {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** base64 SHA-256 of the SubjectPublicKeyInfo: what the SDK's tls.pinSha256 takes */
  pin: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync(toolPath("openssl"), args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
}

function pemAt(dir: string, name: string): Pem {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const cert = readFileSync(certFile, "utf8");
  const spki = new X509Certificate(cert).publicKey.export({ type: "spki", format: "der" });
  return {
    certFile,
    keyFile,
    cert,
    key: readFileSync(keyFile, "utf8"),
    pin: createHash("sha256").update(spki).digest("base64"),
  };
}

/** A directory of test certificates; `remove()` deletes it. */
export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), "ls-pki-"));

  constructor() {
    // throws naming the package when openssl is not installed
    toolPath("openssl");
  }

  /** A self-signed CA (P-256). */
  ca(name: string): Pem {
    openssl(
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"],
        ...["-subj", `/CN=${name} test CA`, "-keyout", `${name}.key`, "-out", `${name}.crt`],
        ...[
          "-addext",
          "basicConstraints=critical,CA:TRUE",
          "-addext",
          "keyUsage=critical,keyCertSign,cRLSign",
        ],
      ],
      this.dir,
    );
    return pemAt(this.dir, name);
  }

  /**
   * A certificate signed by `ca`: for a server (names localhost and 127.0.0.1 unless `names`
   * says otherwise) or, with `client`, for TLS client authentication.
   */
  issue(ca: Pem, name: string, options: { names?: string[]; client?: boolean } = {}): Pem {
    const names = options.names ?? ["DNS:localhost", "IP:127.0.0.1"];
    writeFileSync(
      join(this.dir, `${name}.ext`),
      [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        `extendedKeyUsage=${options.client ? "clientAuth" : "serverAuth"}`,
        ...(options.client ? [] : [`subjectAltName=${names.join(",")}`]),
      ].join("\n") + "\n",
    );
    openssl(
      [
        ...["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
        ...["-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.csr`],
      ],
      this.dir,
    );
    openssl(
      [
        ...[
          "x509",
          "-req",
          "-in",
          `${name}.csr`,
          "-CA",
          ca.certFile,
          "-CAkey",
          ca.keyFile,
          "-CAcreateserial",
        ],
        ...["-days", "2", "-extfile", `${name}.ext`, "-out", `${name}.crt`],
      ],
      this.dir,
    );
    return pemAt(this.dir, name);
  }

  /** Copies a certificate and key over the files the server reads (a renewal in place). */
  install(from: Pem, to: { certFile: string; keyFile: string }): void {
    writeFileSync(to.certFile, from.cert);
    writeFileSync(to.keyFile, from.key);
  }

  file(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The sidecar serving TLS from `tls` on a loopback port 0, over the test database. */
export async function startTlsGateway(
  db: TestDb,
  tls: GrpcTlsConfig,
  logger: Logger = createLogger({ level: "silent" }),
): Promise<Gateway> {
  await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
  return createGatewayServer({
    config: {
      grpcHost: "127.0.0.1",
      grpcPort: 0,
      grpcTls: tls,
      encryptionKey: db.ctx().encryptionKey,
      licensing: {
        heartbeatToleranceSeconds: 60,
        reaperIntervalSeconds: 0,
        rateLimitPerKey: 100_000,
        rateLimitPerPeer: 100_000,
      },
    },
    logger,
    db: db.handle,
    clock: db.clock,
    shutdownTimeoutMs: 2000,
  });
}
