// The admin API's shared services for the Next route handlers, on top of the process runtime.
import { directoryFor } from "./auth/directory.ts";
import { createLicensingServices, type LicensingServices } from "./licensing-api/licensing-services.ts";
import { DEFAULT_LOGIN_LIMITS, LoginLimiter } from "./auth/rate-limit.ts";
import { ensureAuditCheckpointer } from "./jobs/audit-checkpointer.ts";
import { systemClock } from "./core/context.ts";
import { getServerRuntime, type ServerRuntime } from "./runtime.ts";
import type { ApiServices } from "./trpc/context.ts";

const KEY = Symbol.for("license-server.api-services");
const holder = globalThis as unknown as { [KEY]?: Promise<ApiServices> };

/** Starts the web app's audit checkpointer (DATA_DIR/audit-head.json) with its first services. */
function withAuditCheckpointer(runtime: ServerRuntime): ServerRuntime {
  const { config, logger, database } = runtime;
  ensureAuditCheckpointer({
    db: database.db,
    encryptionKey: config.encryptionKey,
    logger,
    dataDir: config.dataDir,
  });
  return runtime;
}

export function getApiServices(): Promise<ApiServices> {
  holder[KEY] ??= getServerRuntime()
    .then(withAuditCheckpointer)
    .then(({ config, logger, database }) => ({
      db: database.db,
      provider: database.provider,
      clock: systemClock,
      logger,
      jwtSecret: config.jwtSecret,
      encryptionKey: config.encryptionKey,
      // with RATE_LIMIT_STORE=database the counts are shared by every instance
      limiter: new LoginLimiter(
        DEFAULT_LOGIN_LIMITS,
        config.rateLimitStore === "database" ? { target: database.target, logger } : undefined,
      ),
      directory: config.ldap ? directoryFor(config.ldap) : null,
      trustProxy: config.trustProxy,
      allowPrivateWebhookTargets: config.webhooks.allowPrivateTargets,
    }));
  return holder[KEY];
}

const CLIENT_KEY = Symbol.for("license-server.client-services");
const clientHolder = globalThis as unknown as { [CLIENT_KEY]?: Promise<LicensingServices> };

/** The licensing API's services for the REST twin (the sidecar makes its own). */
export function getClientServices(): Promise<LicensingServices> {
  clientHolder[CLIENT_KEY] ??= getServerRuntime()
    .then(withAuditCheckpointer)
    .then(({ config, logger, database }) =>
      createLicensingServices({
        database,
        encryptionKey: config.encryptionKey,
        licensing: config.licensing,
        logger,
      }),
    );
  return clientHolder[CLIENT_KEY];
}
