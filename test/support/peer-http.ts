// A real node:http server in front of a Fetch-API handler, with the launcher's preload
// (scripts/lib/peer-stamp.mjs) stamping each request's socket address as it does in the web app's
// process, and an HTTP client that can pick its source address (127.0.0.0/8 is all loopback on
// Linux), so tests see real, distinct socket addresses.
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { installPeerStamp } from "../../scripts/lib/peer-stamp.mjs";

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FetchServer {
  /** http://host:port */
  url: string;
  close(): Promise<void>;
}

/** Serves `handler` on host:0 the way Next hands requests to route handlers (headers as sent). */
export async function serveFetch(
  handler: (req: Request) => Promise<Response>,
  host = "127.0.0.1",
): Promise<FetchServer> {
  installPeerStamp();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
        method: req.method ?? "GET",
        headers,
        ...(body && req.method !== "GET" && req.method !== "HEAD" ? { body } : {}),
      });
      handler(request)
        .then(async (response) => {
          const text = await response.text();
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(text);
        })
        .catch((error: unknown) => {
          res.writeHead(599, { "content-type": "text/plain" });
          res.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(":") ? "127.0.0.1" : host;
  return {
    url: `http://${shown}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** One HTTP request from `localAddress` (default: the OS's choice), on a fresh connection. */
export function httpCall(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: init.method ?? "POST",
        headers: {
          connection: "close",
          ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
          ...init.headers,
        },
        agent: false,
        ...(init.localAddress ? { localAddress: init.localAddress } : {}),
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text });
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(init.body);
  });
}
