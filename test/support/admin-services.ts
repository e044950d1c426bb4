import { LoginLimiter } from "../../src/server/auth/rate-limit.ts";
import { createLogger } from "../../src/server/logger.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import type { TestDb } from "./db.ts";

/** The admin API's services over a test database (silent logs, its own lockout counters). */
export function testServices(db: TestDb, jwtSecret: string): ApiServices {
  return {
    db: db.handle.db,
    provider: db.provider,
    clock: db.clock,
    logger: createLogger({ level: "silent" }),
    jwtSecret,
    encryptionKey: db.ctx().encryptionKey,
    limiter: new LoginLimiter(),
    directory: null,
  };
}
