// The sidecar's TLS: the certificate, key and optional client CA from PEM files
// (GRPC_TLS_CERT_FILE, GRPC_TLS_KEY_FILE, GRPC_TLS_CLIENT_CA_FILE), served through grpc-js's
// certificate-provider credentials so that a reload (SIGHUP) swaps the secure context of the
// running server: new connections get the new certificate, open ones and the listener stay.
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { experimental, type ServerCredentials, type experimental as Experimental } from "@grpc/grpc-js";
import type { GrpcTlsConfig } from "../src/server/config.ts";

type CaListener = Experimental.CaCertificateUpdateListener;
type IdentityListener = Experimental.IdentityCertificateUpdateListener;

/** A TLS file that is missing or not what its setting says; the message names the setting. */
export class TlsFilesError extends Error {
  override name = "TlsFilesError";
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  clientCa: Buffer | null;
  /** what operators (and SDK pins) want to know about the certificate served */
  summary: { subject: string; validTo: string; spkiSha256: string };
}

function readSetting(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new TlsFilesError(`${setting}: cannot read ${path} (${code})`);
  }
}

function parseCertificates(setting: string, path: string, pem: Buffer): X509Certificate[] {
  const blocks = pem.toString("utf8").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw new TlsFilesError(`${setting}: ${path} holds no PEM certificate`);
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new TlsFilesError(
        `${setting}: ${path} holds a malformed certificate (${(error as Error).message})`,
      );
    }
  });
}

/** base64 SHA-256 of the certificate's SubjectPublicKeyInfo (DER): the SDK's `tls.pinSha256`. */
export function spkiSha256(certificate: X509Certificate): string {
  const spki = certificate.publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

/** Reads and checks the files: each parses, the key belongs to the certificate, TLS accepts them. */
export function loadTlsMaterial(files: GrpcTlsConfig): TlsMaterial {
  const cert = readSetting("GRPC_TLS_CERT_FILE", files.certFile);
  const key = readSetting("GRPC_TLS_KEY_FILE", files.keyFile);
  const clientCa = files.clientCaFile ? readSetting("GRPC_TLS_CLIENT_CA_FILE", files.clientCaFile) : null;

  const [leaf] = parseCertificates("GRPC_TLS_CERT_FILE", files.certFile, cert);
  if (!leaf) throw new TlsFilesError(`GRPC_TLS_CERT_FILE: ${files.certFile} holds no PEM certificate`);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new TlsFilesError(
      `GRPC_TLS_KEY_FILE: ${files.keyFile} is not an unencrypted PEM private key (${(error as Error).message})`,
    );
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new TlsFilesError(
      `GRPC_TLS_KEY_FILE: ${files.keyFile} is not the private key of the certificate in GRPC_TLS_CERT_FILE (${files.certFile})`,
    );
  }
  if (clientCa && files.clientCaFile)
    parseCertificates("GRPC_TLS_CLIENT_CA_FILE", files.clientCaFile, clientCa);
  try {
    // what the server will do with them: a failure here would otherwise only show per connection
    createSecureContext({ cert, key, ...(clientCa ? { ca: clientCa } : {}) });
  } catch (error) {
    throw new TlsFilesError(
      `GRPC_TLS_CERT_FILE/GRPC_TLS_KEY_FILE: TLS refuses them (${(error as Error).message})`,
    );
  }
  return {
    cert,
    key,
    clientCa,
    summary: { subject: leaf.subject, validTo: leaf.validTo, spkiSha256: spkiSha256(leaf) },
  };
}

/**
 * A certificate provider that we feed ourselves (grpc-js' FileWatcherCertificateProvider polls
 * on a timer and, on a half-written or bad file, withdraws the certificate and refuses every new
 * connection; here a reload is all-or-nothing and a bad one changes nothing).
 */
class ReloadableProvider implements Experimental.CertificateProvider {
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  constructor(private material: TlsMaterial) {}

  set(material: TlsMaterial): void {
    this.material = material;
    // identity first: the CA update that follows recomputes the context with both new parts
    for (const listener of this.identityListeners) listener(this.identity());
    for (const listener of this.caListeners) listener(this.ca());
  }
  private identity() {
    return { certificate: this.material.cert, privateKey: this.material.key };
  }
  private ca() {
    return this.material.clientCa ? { caCertificate: this.material.clientCa } : null;
  }
  // grpc-js registers its own watcher only after adding these listeners, so the first update
  // comes on the next tick (as FileWatcherCertificateProvider does); the port is not bound yet then
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    process.nextTick(() => {
      if (this.caListeners.has(listener)) listener(this.ca());
    });
  }
  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }
  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    process.nextTick(() => {
      if (this.identityListeners.has(listener)) listener(this.identity());
    });
  }
  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }
}

export interface ReloadableTls {
  credentials: ServerCredentials;
  /** what is served now */
  current(): TlsMaterial["summary"];
  /** Re-reads the files; throws TlsFilesError (and keeps serving the old ones) when they are bad. */
  reload(): TlsMaterial["summary"];
}

/** Throws TlsFilesError when the files are missing or bad: the sidecar must not start then. */
export function reloadableServerCredentials(files: GrpcTlsConfig): ReloadableTls {
  let material = loadTlsMaterial(files);
  const identity = new ReloadableProvider(material);
  // the client CA, when set, comes through the same provider; requestCert follows from it and
  // rejectUnauthorized (the last argument) makes the client certificate mandatory
  const ca = files.clientCaFile ? identity : null;
  // grpc-js 1.14: the first parameter is the identity provider, whatever its declared name says
  const credentials = experimental.createCertificateProviderServerCredentials(identity, ca, ca !== null);
  return {
    credentials,
    current: () => material.summary,
    reload: () => {
      const next = loadTlsMaterial(files);
      material = next;
      identity.set(next);
      return next.summary;
    },
  };
}
