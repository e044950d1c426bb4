// TLS for both transports: which CA certificates to trust and which server keys to accept.
// `ca` replaces the system roots (a private CA is trusted alone: a public CA could otherwise issue
// a certificate for the vendor's host name); `pinSha256` additionally requires the server
// certificate's public key to be one of the pins. A certificate that fails either check ends the
// connection, and the transports report that as unreachable (TransportUnavailableError), so the
// offline tiers decide, exactly as for a server that cannot be reached.
import { createHash, X509Certificate } from "node:crypto";
import { Agent, request as httpsRequest } from "node:https";
import { checkServerIdentity as defaultCheckServerIdentity, type PeerCertificate } from "node:tls";
import { credentials, type ChannelCredentials } from "@grpc/grpc-js";

export interface LicenseTlsOptions {
  /**
   * PEM CA certificate(s) to trust INSTEAD of the system's roots (e.g. the vendor's private CA).
   * Without it the system's roots are used.
   */
  ca?: string | string[];
  /**
   * Pins: base64 SHA-256 of the server certificate's SubjectPublicKeyInfo (DER), as in HPKP:
   * `openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der |
   * openssl dgst -sha256 -binary | base64`. The server's certificate key must match one of them;
   * give the current and the next key's pin to rotate without an outage.
   */
  pinSha256?: string | string[];
}

/** The options, checked once when the client is made: a bad CA or pin is a programming error. */
export interface ResolvedTls {
  /** PEM certificates; null: the system's roots */
  ca: string[] | null;
  pins: ReadonlySet<string>;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function resolveTls(tls: LicenseTlsOptions): ResolvedTls {
  const list = (value: string | string[] | undefined) =>
    value === undefined ? [] : Array.isArray(value) ? value : [value];
  const ca = list(tls.ca).flatMap((pem, index) => {
    const blocks = pem.match(PEM_CERTIFICATE);
    if (!blocks) throw new TypeError(`tls.ca[${index}] holds no PEM certificate`);
    for (const block of blocks) {
      try {
        new X509Certificate(block);
      } catch (error) {
        throw new TypeError(`tls.ca[${index}] holds a malformed certificate: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    return blocks;
  });
  const pins = list(tls.pinSha256).map((pin, index) => {
    const trimmed = pin.trim();
    if (!/^[A-Za-z0-9+/]{43}=$/.test(trimmed) || Buffer.from(trimmed, "base64").length !== 32) {
      throw new TypeError(
        `tls.pinSha256[${index}] is not a base64 SHA-256 digest (44 characters ending in "=")`,
      );
    }
    return trimmed;
  });
  if (tls.ca !== undefined && ca.length === 0) throw new TypeError("tls.ca is empty");
  if (tls.pinSha256 !== undefined && pins.length === 0) throw new TypeError("tls.pinSha256 is empty");
  return { ca: ca.length > 0 ? ca : null, pins: new Set(pins) };
}

/** base64 SHA-256 of a certificate's SubjectPublicKeyInfo, the value `pinSha256` holds. */
export function spkiPin(certificate: string | X509Certificate): string {
  const x509 = typeof certificate === "string" ? new X509Certificate(certificate) : certificate;
  const spki = x509.publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

/** Node's host name check, then the pins. */
export function serverIdentityCheck(tls: ResolvedTls) {
  return (hostname: string, cert: PeerCertificate): Error | undefined => {
    const wrongName = defaultCheckServerIdentity(hostname, cert);
    if (wrongName) return wrongName;
    if (tls.pins.size === 0) return undefined;
    // from the DER certificate: `cert.pubkey` is no SubjectPublicKeyInfo for EC keys (the bare point)
    let pin: string;
    try {
      pin = spkiPin(new X509Certificate(cert.raw));
    } catch (error) {
      return new Error(`the server's certificate cannot be read: ${(error as Error).message}`);
    }
    if (tls.pins.has(pin)) return undefined;
    return new Error(`the server's certificate key (sha256/${pin}) matches none of tls.pinSha256`);
  };
}

/**
 * The gRPC target and credentials: TLS when `tls` is given or the address says `https://` or
 * `grpcs://`; a plain `host:port` without `tls` stays plaintext (a local or proxied sidecar).
 */
export function grpcChannelSetup(
  address: string,
  tls: LicenseTlsOptions | undefined,
): { target: string; credentials: ChannelCredentials | undefined } {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(address)?.[1]?.toLowerCase();
  const rest = scheme ? address.slice(scheme.length + 3) : address;
  const secureScheme = scheme === "https" || scheme === "grpcs";
  if (scheme !== undefined && !secureScheme && scheme !== "http" && scheme !== "grpc") {
    throw new TypeError(
      `gRPC address ${address}: unknown scheme ${scheme}:// (use host:port or grpcs://host:port)`,
    );
  }
  if (tls && scheme !== undefined && !secureScheme) {
    throw new TypeError(
      `gRPC address ${address} is plaintext but tls is set: use grpcs://${rest} or ${rest}`,
    );
  }
  if (!tls && !secureScheme) return { target: rest, credentials: undefined };
  const resolved = resolveTls(tls ?? {});
  return {
    target: `https://${rest}`,
    credentials: credentials.createSsl(resolved.ca ? Buffer.from(resolved.ca.join("\n")) : null, null, null, {
      checkServerIdentity: serverIdentityCheck(resolved),
    }),
  };
}

/**
 * A fetch for the REST twin over node:https with the CA and the pins (the global fetch takes
 * neither). Only what restTransport uses: POST/GET, headers, a string body, an AbortSignal.
 * Sessions are not cached, so every new connection shows its certificate and is checked again.
 */
export function tlsFetch(baseUrl: string, tls: LicenseTlsOptions): typeof fetch {
  if (!/^https:\/\//i.test(baseUrl)) {
    throw new TypeError(`REST base URL ${baseUrl} is not https:// but tls is set`);
  }
  const resolved = resolveTls(tls);
  const agent = new Agent({
    keepAlive: true,
    maxCachedSessions: 0,
    ...(resolved.ca ? { ca: resolved.ca } : {}),
    checkServerIdentity: serverIdentityCheck(resolved),
  });
  const tlsFetchImpl = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : input);
      if (url.protocol !== "https:") {
        reject(new TypeError(`refusing ${url.protocol} with tls set`));
        return;
      }
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const req = httpsRequest(
        url,
        { method: init.method ?? "GET", headers, agent, ...(init.signal ? { signal: init.signal } : {}) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined)
                responseHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
            }
            const status = res.statusCode ?? 502;
            const bodyless = status === 204 || status === 304;
            resolve(
              new Response(bodyless ? null : Buffer.concat(chunks), { status, headers: responseHeaders }),
            );
          });
        },
      );
      req.on("error", reject);
      if (typeof init.body === "string") req.end(init.body);
      else if (init.body === undefined || init.body === null) req.end();
      else {
        req.destroy();
        reject(new TypeError("tlsFetch sends string bodies only"));
      }
    });
  return tlsFetchImpl;
}
