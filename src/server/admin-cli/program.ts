// The operator's command line (`npm run admin -- <command>`): migrations, first admins and
// password resets, the signing key, backups and restores, the audit chain. It runs on the server's
// host with the server's configuration (environment, LICENSE_SERVER_CONFIG, DATA_DIR/secrets.json)
// and acts as the system; each change is audited like any other.
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { Command, Option } from "commander";
import { generatePassword } from "../auth/password.ts";
import { describeDatabase } from "../bootstrap.ts";
import { ConfigError, loadConfig, type Config } from "../config.ts";
import { createAdmin } from "../core/admins/create-admin.ts";
import { setAdminPassword } from "../core/admins/set-admin-password.ts";
import { anchorIn, checkpointAuditHead, type CheckpointOutcome } from "../core/audit/checkpoint.ts";
import { verifyWholeAuditChain, type AuditChainReport } from "../core/audit/verify-audit-chain.ts";
import { createBackup } from "../core/backups/create-backup.ts";
import { occupiedTables, restoreBackup } from "../core/backups/restore-backup.ts";
import { backupFileName, pruneBackups } from "../core/backups/schedule-backups.ts";
import { describeBackup, verifyBackup } from "../core/backups/verify-backup.ts";
import { ROLES, systemClock, type Actor, type DomainContext, type Role } from "../core/context.ts";
import { DomainError } from "../core/errors.ts";
import { rotateSigningKey } from "../core/signing-keys/rotate-signing-key.ts";
import { openDatabase, type DbHandle } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";
import { parseDatabaseUrl, redactDatabaseUrl, type DbTarget } from "../db/provider.ts";
import { errorSummary } from "../error-summary.ts";
import { createLogger } from "../logger.ts";
import { Progress } from "./progress.ts";

/** A failure to report as one line and exit non-zero (no stack trace). */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** the whole of standard input (for --password-stdin) */
  readStdin: () => Promise<string>;
  env: Record<string, string | undefined>;
  /** whether stderr is a terminal (progress lines) */
  interactive: boolean;
}

function operator(): Actor {
  let who = "operator";
  try {
    who = `${userInfo().username}@${hostname()}`;
  } catch {
    // no user database (some containers)
  }
  return { type: "system", id: null, label: `admin-cli (${who})`, role: "super_admin", groupIds: [] };
}

function config(io: CliIo, options: { generateSecrets?: boolean } = {}): Config {
  try {
    return loadConfig(io.env, options);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
}

async function withDatabase<T>(
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

async function readPassword(
  io: CliIo,
  fromStdin: boolean | undefined,
): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: generatePassword(), generated: true };
  const password = (await io.readStdin()).replace(/\r?\n$/, "");
  if (password === "") throw new CliError("--password-stdin: standard input is empty");
  return { password, generated: false };
}

function output(io: CliIo, json: boolean | undefined, value: unknown, text: string): void {
  io.stdout(json ? JSON.stringify(value, null, 2) + "\n" : text.endsWith("\n") ? text : `${text}\n`);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export function buildProgram(io: CliIo): Command {
  const program = new Command("admin")
    .description(
      "Operate a license server from its host: migrations, admins, the signing key, backups, the audit log.\n" +
        "Uses the server's configuration (environment, LICENSE_SERVER_CONFIG, DATA_DIR/secrets.json).",
    )
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  program
    .command("migrate")
    .description("apply pending database migrations (npm start does this too)")
    .option("--json", "machine-readable output")
    .action(async (options: { json?: boolean }) => {
      // as `npm start` and `npm run db:migrate` do, a first run makes the secrets
      const cfg = config(io, { generateSecrets: true });
      let applied: string[];
      try {
        applied = await applyMigrations(cfg.database);
      } catch (error) {
        throw new CliError(`cannot migrate the database (${describeDatabase(cfg)}): ${errorSummary(error)}`);
      }
      output(
        io,
        options.json,
        { database: describeDatabase(cfg), applied },
        applied.length === 0
          ? `${describeDatabase(cfg)} is up to date`
          : `applied ${applied.length} migration(s) to ${describeDatabase(cfg)}:\n${applied.map((m) => `  ${m}`).join("\n")}`,
      );
    });

  program
    .command("create-admin")
    .description("create an admin account; without --password-stdin a password is generated and printed once")
    .requiredOption("--email <email>", "sign-in email")
    .option("--name <name>", "display name", "")
    .addOption(new Option("--role <role>", "role").choices(ROLES).default("super_admin"))
    .option("--group <name...>", "groups the admin belongs to, by name (default: the first group)")
    .option("--password-stdin", "read the password from standard input")
    .option("--json", "machine-readable output")
    .action(
      async (options: {
        email: string;
        name: string;
        role: Role;
        group?: string[];
        passwordStdin?: boolean;
        json?: boolean;
      }) => {
        const cfg = config(io);
        const { password, generated } = await readPassword(io, options.passwordStdin);
        const admin = await withDatabase(cfg, async (ctx) => {
          const names = options.group ?? [];
          const groups = names.length
            ? await ctx.db.group.findMany({
                where: { name: { in: names } },
                select: { id: true, name: true },
              })
            : await ctx.db.group.findMany({
                orderBy: { createdAt: "asc" },
                take: 1,
                select: { id: true, name: true },
              });
          const missing = names.filter((n) => !groups.some((g) => g.name === n));
          if (missing.length) throw new CliError(`no group named ${missing.map((n) => `"${n}"`).join(", ")}`);
          return createAdmin(ctx, {
            email: options.email,
            name: options.name,
            role: options.role,
            groupIds: groups.map((g) => g.id),
            password,
          });
        });
        output(
          io,
          options.json,
          { id: admin.id, email: admin.email, role: admin.role, ...(generated ? { password } : {}) },
          `created ${admin.role} ${admin.email} (${admin.id})${generated ? `\npassword (shown once): ${password}` : ""}`,
        );
      },
    );

  program
    .command("reset-password")
    .description("set a local admin's password; without --password-stdin one is generated and printed once")
    .argument("<email>", "the admin's sign-in email")
    .option("--password-stdin", "read the password from standard input")
    .option("--json", "machine-readable output")
    .action(async (email: string, options: { passwordStdin?: boolean; json?: boolean }) => {
      const cfg = config(io);
      const { password, generated } = await readPassword(io, options.passwordStdin);
      const id = await withDatabase(cfg, async (ctx) => {
        const admin = await ctx.db.admin.findUnique({
          where: { email: email.toLowerCase() },
          select: { id: true },
        });
        if (!admin) throw new CliError(`no admin has the email ${email}`);
        return (await setAdminPassword(ctx, { id: admin.id, password })).id;
      });
      output(
        io,
        options.json,
        { id, email: email.toLowerCase(), ...(generated ? { password } : {}) },
        `password of ${email.toLowerCase()} reset; earlier sign-ins end${generated ? `\npassword (shown once): ${password}` : ""}`,
      );
    });

  program
    .command("rotate-signing-key")
    .description("make a new Ed25519 signing key; the previous one stays published for verification")
    .option("--json", "machine-readable output")
    .action(async (options: { json?: boolean }) => {
      const cfg = config(io);
      const key = await withDatabase(cfg, (ctx) => rotateSigningKey(ctx));
      output(
        io,
        options.json,
        { kid: key.kid, status: key.status, activatedAt: key.activatedAt },
        `signing key ${key.kid} is active; ship the new public keyring with your next release`,
      );
    });

  program
    .command("backup")
    .description("write an encrypted backup of every table (default: BACKUP_DIR/backup-<time>.lsbackup)")
    .argument("[file]", "where to write it (never replaced)")
    .option("--prune", "then delete the oldest backups in BACKUP_DIR beyond BACKUP_RETENTION")
    .option("--json", "machine-readable output")
    .action(async (file: string | undefined, options: { prune?: boolean; json?: boolean }) => {
      const cfg = config(io);
      const path = file ?? join(cfg.backup.dir, backupFileName(new Date()));
      const progress = new Progress(io, "backup", !options.json);
      const result = await withDatabase(cfg, (ctx) =>
        createBackup(
          ctx,
          { path },
          {
            key: cfg.backup.key,
            onProgress: (p) => {
              progress.update(p.rows, p.totalRows, p.table);
            },
          },
        ),
      ).finally(() => {
        progress.done();
      });
      const pruned = options.prune ? pruneBackups(cfg.backup.dir, cfg.backup.retention) : [];
      output(
        io,
        options.json,
        { ...result, pruned },
        `backup written: ${result.path}\n  ${result.rows} rows, ${mib(result.bytes)}, ${(result.durationMs / 1000).toFixed(1)} s\n  sha256 ${result.sha256}` +
          (pruned.length ? `\n  pruned: ${pruned.join(", ")}` : ""),
      );
    });

  program
    .command("verify-backup")
    .description("check a backup file with the configured key: every chunk, every row, the counts")
    .argument("<file>", "the backup file")
    .option("--json", "machine-readable output")
    .action(async (file: string, options: { json?: boolean }) => {
      const cfg = config(io);
      const header = await describeBackup({ path: file });
      const result = await verifyBackup({ path: file }, cfg.backup.key);
      output(
        io,
        options.json,
        { ok: true, ...result },
        `backup ok: ${result.rows} rows from ${header.sourceProvider}, made ${header.createdAt} by version ${header.appVersion}`,
      );
    });

  program
    .command("restore")
    .description(
      "restore a backup into an empty database (migrated first); the target may be SQLite or PostgreSQL, whatever the source was",
    )
    .argument("<file>", "the backup file")
    .option("--database-url <url>", "the database to restore into (default: DATABASE_URL)")
    .option(
      "--allow-other-encryption-key",
      "restore although this ENCRYPTION_KEY is not the source server's (signing keys and TOTP secrets will not decrypt)",
    )
    .option("--json", "machine-readable output")
    .action(
      async (
        file: string,
        options: { databaseUrl?: string; allowOtherEncryptionKey?: boolean; json?: boolean },
      ) => {
        const cfg = config(io);
        let target = cfg.database;
        if (options.databaseUrl) {
          try {
            target = parseDatabaseUrl(options.databaseUrl);
          } catch (error) {
            throw new CliError(`--database-url: ${errorSummary(error)}`, 2);
          }
        }
        // the key and the file first: a wrong key or a damaged file must not even migrate the target
        await verifyBackup({ path: file }, cfg.backup.key);
        // a database with data is refused before anything is migrated (a fresh one has no tables yet)
        const occupied = await withDatabase(cfg, (ctx) => occupiedTables(ctx.db).catch(() => []), target);
        if (occupied.length > 0)
          throw new CliError(
            `the database is not empty (${occupied.join(", ")}); restore into a new, empty database`,
          );
        try {
          await applyMigrations(target);
        } catch (error) {
          throw new CliError(`cannot migrate the target database: ${errorSummary(error)}`);
        }
        const progress = new Progress(io, "restore", !options.json);
        // the server's own database: its checkpoint in DATA_DIR may be ahead of the restored chain
        const ownDatabase = target === cfg.database;
        const { result, checkpoint } = await withDatabase(
          cfg,
          async (ctx) => {
            const result = await restoreBackup(
              ctx,
              { path: file, allowOtherEncryptionKey: options.allowOtherEncryptionKey ?? false },
              {
                key: cfg.backup.key,
                onProgress: (p) => {
                  progress.update(p.rows, p.totalRows, `${p.phase} ${p.table}`);
                },
              },
            );
            progress.done();
            // the restore is the operator's decision: the checkpoint follows the restored head
            const checkpoint = ownDatabase
              ? await checkpointAuditHead(
                  { db: ctx.db, encryptionKey: ctx.encryptionKey, logger: ctx.logger },
                  anchorIn(cfg.dataDir),
                  { force: true },
                )
              : null;
            return { result, checkpoint };
          },
          target,
        ).finally(() => {
          progress.done();
        });
        const anchorNote = checkpoint
          ? `; audit ${checkpointText(checkpoint)}`
          : "; the audit checkpoint in DATA_DIR was left alone (another database): after moving the server to it, run verify-audit --reanchor";
        output(
          io,
          options.json,
          {
            tables: result.tables,
            rows: result.rows,
            durationMs: result.durationMs,
            from: result.header.sourceProvider,
            to: target.provider,
            auditCheckpoint: checkpoint,
          },
          `restored ${result.rows} rows (${result.header.sourceProvider} → ${target.provider}) in ${(result.durationMs / 1000).toFixed(1)} s${anchorNote}`,
        );
      },
    );

  program
    .command("verify-audit")
    .description(
      "walk the audit log's hash chain, compare it with the signed checkpoint in DATA_DIR and report the first broken link",
    )
    .option(
      "--reanchor",
      "when the chain itself verifies, replace the checkpoint with its head (after moving the server to another database)",
    )
    .option("--json", "machine-readable output")
    .action(async (options: { json?: boolean; reanchor?: boolean }) => {
      const cfg = config(io);
      const anchor = anchorIn(cfg.dataDir);
      const { report, reanchored } = await withDatabase(cfg, async (ctx) => {
        // re-anchoring compares with no checkpoint: the chain must verify on its own first
        const report = await verifyWholeAuditChain(ctx, {}, options.reanchor ? undefined : anchor);
        const reanchored =
          options.reanchor && report.ok
            ? await checkpointAuditHead(
                { db: ctx.db, encryptionKey: ctx.encryptionKey, logger: ctx.logger },
                anchor,
                { force: true },
              )
            : undefined;
        return { report, reanchored };
      });
      for (const warning of report.warnings) io.stderr(`admin: warning: ${warning}\n`);
      output(
        io,
        options.json,
        reanchored ? { ...report, reanchored } : report,
        chainText(report, reanchored),
      );
      if (!report.ok) throw new CliError("the audit chain does not verify", 3);
      if (reanchored && !reanchored.written)
        throw new CliError(`no checkpoint written: ${reanchored.detail ?? reanchored.reason}`);
    });

  return program;
}

function checkpointText(outcome: CheckpointOutcome): string {
  return outcome.written
    ? `checkpoint written at record #${outcome.checkpoint.seq} (key ${outcome.checkpoint.kid})`
    : `no checkpoint written (${outcome.reason}${outcome.detail ? `: ${outcome.detail}` : ""})`;
}

function chainText(report: AuditChainReport, reanchored: CheckpointOutcome | undefined): string {
  if (!report.ok)
    return `audit chain BROKEN at record ${report.brokenAt ?? "-"} (${report.reason}): ${report.detail}; ${report.checked} records before it verify`;
  const kinds = `${report.keyedRecords} keyed, ${report.legacyRecords} unkeyed from before`;
  const anchored = report.checkpoint
    ? `; matches the checkpoint of ${report.checkpoint.at} at record #${report.checkpoint.seq}`
    : "; not anchored (no checkpoint compared)";
  const written = reanchored
    ? `; ${checkpointText(reanchored)}`
    : report.checkpointWrittenAt !== null
      ? `; checkpoint moved to record #${report.checkpointWrittenAt}`
      : "";
  return `audit chain ok: ${report.checked} records (${kinds})${anchored}${written}`;
}

/** Runs the CLI; returns the exit code. */
export async function runAdminCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "commander.helpDisplayed" || code === "commander.version" || code === "commander.help")
      return 0;
    if (typeof code === "string" && code.startsWith("commander.")) return 2;
    if (error instanceof CliError) {
      if (error.message) io.stderr(`admin: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof DomainError) {
      const fields = error.fields.length
        ? ` (${error.fields.map((f) => `${f.path}: ${f.message}`).join("; ")})`
        : "";
      io.stderr(
        `admin: ${error.code === "INTERNAL" ? `internal error: ${errorSummary(error.cause)}` : error.message}${fields}\n`,
      );
      return 1;
    }
    io.stderr(`admin: ${errorSummary(error)}\n`);
    return 1;
  }
}
