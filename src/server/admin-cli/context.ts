// What the admin CLI's commands act with: the server's configuration (a configuration problem is
// a usage error, exit code 2), the database opened as the system (the operator's actor, audited
// as `admin-cli (<user>@<host>)`), and a password from standard input or generated.
import { hostname, userInfo } from "node:os";
import { describeDatabase } from "../bootstrap.ts";
import { ConfigError, loadConfig, type Config } from "../config.ts";
import { systemClock, type Actor, type DomainContext } from "../core/context.ts";
import { generatePassword } from "../crypto/password.ts";
import { openDatabase, type DbHandle } from "../db/client.ts";
import { redactDatabaseUrl, type DbTarget } from "../db/provider.ts";
import { errorSummary } from "../error-summary.ts";
import { createLogger } from "../logger.ts";
import { CliError, type CliIo } from "./io.ts";

function operator(): Actor {
  let who = "operator";
  try {
    who = `${userInfo().username}@${hostname()}`;
  } catch {
    // no user database (some containers)
  }
  return { type: "system", id: null, label: `admin-cli (${who})`, role: "super_admin", groupIds: [] };
}

export function serverConfig(io: CliIo, options: { generateSecrets?: boolean } = {}): Config {
  try {
    return loadConfig(io.env, options);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
}

/** Opens the database (the configured one, or `target`), runs `work` as the operator, closes it. */
export async function withDatabase<T>(
  cfg: Config,
  work: (ctx: DomainContext, handle: DbHandle) => Promise<T>,
  target: DbTarget = cfg.database,
): Promise<T> {
  const where =
    target === cfg.database
      ? describeDatabase(cfg)
      : `${target.provider} at ${target.provider === "sqlite" ? target.url : redactDatabaseUrl(target.url)}`;
  let handle: DbHandle;
  try {
    handle = await openDatabase(target, { poolSize: 2 });
    await handle.db.$queryRawUnsafe("SELECT 1");
  } catch (error) {
    throw new CliError(`cannot open the database (${where}): ${errorSummary(error)}`);
  }
  try {
    return await work(
      {
        db: handle.db,
        provider: handle.provider,
        clock: systemClock,
        logger: createLogger({ level: "warn", name: "admin-cli" }),
        actor: operator(),
        ip: null,
        encryptionKey: cfg.encryptionKey,
      },
      handle,
    );
  } finally {
    await handle.close();
  }
}

/** --password-stdin: standard input without its final newline; else a generated password. */
export async function readPassword(
  io: CliIo,
  fromStdin: boolean | undefined,
): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: generatePassword(), generated: true };
  const password = (await io.readStdin()).replace(/\r?\n$/, "");
  if (password === "") throw new CliError("--password-stdin: standard input is empty");
  return { password, generated: false };
}
