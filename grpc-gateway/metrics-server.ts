// The sidecar's Prometheus endpoint: GET /metrics on GRPC_HOST:GRPC_METRICS_PORT (default 9464,
// 0 = off), a plain HTTP listener beside the gRPC server.
import { createServer, type Server } from "node:http";
import type { Logger } from "../src/server/logger.ts";
import { metricsAuthorized, renderMetrics, type ServerMetrics } from "../src/server/metrics.ts";

export interface MetricsServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: {
  host: string;
  port: number;
  token: string | null;
  metrics: ServerMetrics;
  logger: Logger;
}): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: try GET /metrics\n");
      return;
    }
    if (!metricsAuthorized(req.headers.authorization, options.token)) {
      res
        .writeHead(401, { "www-authenticate": 'Bearer realm="metrics"' })
        .end("metrics need a bearer token\n");
      return;
    }
    renderMetrics(options.metrics).then(
      ({ contentType, body }) => {
        res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" }).end(body);
      },
      (error: unknown) => {
        options.logger.warn({ err: error }, "metrics scrape failed");
        res.writeHead(500, { "content-type": "text/plain" }).end("metrics unavailable\n");
      },
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host.replace(/^\[|\]$/g, ""), () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
