// One connection to the directory for one sign-in: ldap:// or ldaps:// with the TLS options of the
// settings (CA file, the host name the certificate must carry), a deadline of timeoutMs over all of
// it (connection and TLS handshake included, which cuts hung sockets), and every socket closed
// afterwards. Whatever goes wrong comes out as an LdapUnavailableError naming the stage.
import { readFile } from "node:fs/promises";
import net from "node:net";
import tls from "node:tls";
import { Client } from "ldapts";
import type { LdapConfig } from "./config.ts";
import { LdapUnavailableError, STAGE_TEXT, toUnavailable, type Stage } from "./unavailable.ts";

async function tlsOptionsFor(config: LdapConfig, host: string): Promise<tls.ConnectionOptions> {
  let ca: Buffer | undefined;
  if (config.caFile !== undefined) {
    try {
      ca = await readFile(config.caFile);
    } catch (error) {
      throw new LdapUnavailableError("misconfigured", "the LDAP CA file (LDAP_CA_FILE) cannot be read", {
        cause: error,
      });
    }
  }
  return {
    rejectUnauthorized: config.tlsRejectUnauthorized,
    // the name the certificate must carry; SNI only takes host names
    host,
    ...(net.isIP(host) === 0 ? { servername: host } : {}),
    ...(ca ? { ca } : {}),
  };
}

export interface DirectoryConnection {
  client: Client;
  /** with ldaps:// or StartTLS: the options for the TLS connection (StartTLS takes them too) */
  tlsOptions: tls.ConnectionOptions | undefined;
  /** what the work is doing now; the deadline's and the errors' messages name it */
  stage: { current: Stage };
}

/**
 * Runs `work` with a client for the configured directory (it connects on its first operation),
 * within timeoutMs, then unbinds and closes every socket. Throws LdapUnavailableError.
 */
export async function withDirectory<T>(
  config: LdapConfig,
  work: (connection: DirectoryConnection) => Promise<T>,
): Promise<T> {
  const url = new URL(config.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const secure = url.protocol === "ldaps:";
  const tlsOptions = secure || config.startTls ? await tlsOptionsFor(config, host) : undefined;

  // sockets are tracked so that the deadline can cut a hung connection or TLS handshake
  const sockets: net.Socket[] = [];
  let abandoned = false;
  const track = <S extends net.Socket>(socket: S): S => {
    sockets.push(socket);
    // ldapts reconnects on its own when a later step of an abandoned sign-in runs: refuse that
    if (abandoned) socket.destroy();
    return socket;
  };
  const client = new Client({
    url: config.url,
    timeout: config.timeoutMs,
    connectTimeout: config.timeoutMs,
    // ldapts connects with TLS whenever tlsOptions are given, so an ldap:// URL gets them at StartTLS
    ...(secure
      ? {
          tlsOptions,
          createSecureConnection: ((port: number, hostname: string, options: tls.ConnectionOptions) =>
            track(tls.connect(port, hostname, options))) as typeof tls.connect,
        }
      : {
          createConnection: ((port: number, hostname: string) =>
            track(net.connect(port, hostname))) as typeof net.connect,
        }),
  });

  const stage: { current: Stage } = { current: "connect" };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandoned = true;
      for (const socket of sockets) socket.destroy();
      reject(
        new LdapUnavailableError(
          "timeout",
          `LDAP directory did not answer within ${config.timeoutMs} ms (${STAGE_TEXT[stage.current]})`,
        ),
      );
    }, config.timeoutMs);
  });
  try {
    return await Promise.race([work({ client, tlsOptions, stage }), deadline]);
  } catch (error) {
    throw toUnavailable(error, stage.current);
  } finally {
    clearTimeout(timer);
    abandoned = true;
    await client.unbind().catch(() => undefined);
    for (const socket of sockets) socket.destroy();
  }
}
