// `npm run gateway`: the gRPC sidecar on its own (the launcher, `npm start`, runs it beside the
// web app). It neither migrates nor generates secrets: start the server with `npm start` once.
import { describeDatabase } from "../src/server/bootstrap.ts";
import { errorSummary } from "../src/server/error-summary.ts";
import { ConfigError, loadConfig, type Config } from "../src/server/config.ts";
import { logPoolErrors, openDatabase, type DbHandle } from "../src/server/db/client.ts";
import { createLogger } from "../src/server/logger.ts";
import { startSidecarJobs } from "../src/server/jobs/sidecar-jobs.ts";
import { observeGrpcCall, serverMetrics } from "../src/server/metrics.ts";
import { startMetricsServer, type MetricsServer } from "./metrics-server.ts";
import { createGatewayServer, grpcAddress } from "./server.ts";
import { TlsFilesError } from "./tls.ts";

function fail(message: string): never {
  process.stderr.write(`gateway: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, name: "gateway" });
  const where = describeDatabase(config);

  let database: DbHandle;
  try {
    database = await openDatabase(config.database, { onPoolError: logPoolErrors(logger) });
    await database.db.$queryRawUnsafe("SELECT 1");
  } catch (error) {
    fail(`cannot open the database (${where}): ${errorSummary(error)}`);
  }

  let gateway;
  try {
    gateway = await createGatewayServer({ config, logger, db: database, onCall: observeGrpcCall });
  } catch (error) {
    await database.close().catch(() => {});
    if (error instanceof TlsFilesError) fail(`cannot serve TLS: ${error.message}`);
    fail(`cannot listen on ${grpcAddress(config.grpcHost, config.grpcPort)}: ${errorSummary(error)}`);
  }
  const metrics = serverMetrics("gateway");
  metrics.setDatabaseSource(() =>
    Promise.resolve({
      db: database.db,
      heartbeatToleranceSeconds: config.licensing.heartbeatToleranceSeconds,
    }),
  );
  let metricsServer: MetricsServer | undefined;
  if (config.metrics.grpcPort > 0) {
    try {
      metricsServer = await startMetricsServer({
        host: config.grpcHost,
        port: config.metrics.grpcPort,
        token: config.metrics.token,
        metrics,
        logger,
      });
    } catch (error) {
      // metrics are not worth refusing licensing calls for: say so and serve without them
      logger.warn(
        { port: config.metrics.grpcPort, error: errorSummary(error) },
        "cannot serve /metrics (GRPC_METRICS_PORT); running without it",
      );
    }
  }
  // scheduled backups and the audit checkpointer (src/server/jobs)
  const jobs = startSidecarJobs(config, database, logger);
  logger.info(
    { address: gateway.address, provider: database.provider, metricsPort: metricsServer?.port ?? null },
    "gRPC gateway listening",
  );
  // Under the launcher: tell it we are up.
  process.send?.({ type: "ready", address: gateway.address, port: gateway.port });

  let stopping = false;
  const stop = (reason: string) => {
    // Ctrl-C in a terminal reaches us twice (from the terminal and from the launcher): stop once.
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, "gRPC gateway stopping");
    void (async () => {
      await gateway.shutdown();
      await jobs.stop();
      await metricsServer?.close();
      await database.close().catch((error: unknown) => {
        logger.warn({ err: error }, "closing the database failed");
      });
      logger.info("gRPC gateway stopped");
      process.exit(0);
    })();
  };
  process.on("SIGINT", () => {
    stop("SIGINT");
  });
  process.on("SIGTERM", () => {
    stop("SIGTERM");
  });
  // certificate renewal (certbot's deploy hook, cert-manager, ...): `kill -HUP <pid>`
  process.on("SIGHUP", () => {
    gateway.reloadTls();
  });
  // Started by the launcher with an IPC channel: if the launcher goes away, so do we.
  if (process.connected) {
    process.on("disconnect", () => {
      stop("launcher gone");
    });
  }
}

main().catch((error: unknown) => {
  fail(errorSummary(error));
});
