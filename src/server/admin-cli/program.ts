// The operator's command line (`npm run admin -- <command>`): migrations, first admins and
// password resets, the signing key, backups and restores, the audit chain. It runs on the server's
// host with the server's configuration (environment, LICENSE_SERVER_CONFIG, DATA_DIR/secrets.json)
// and acts as the system; each change is audited like any other. This file assembles the commands
// (one per file in commands/) and runs them with the runner the release CLI uses too.
import { Command } from "commander";
import { runProgram } from "../../../release-cli/src/lib/run-program.ts";
import { DomainError } from "../core/errors.ts";
import { errorSummary } from "../error-summary.ts";
import { registerBackup } from "./commands/backup.ts";
import { registerCreateAdmin } from "./commands/create-admin.ts";
import { registerMigrate } from "./commands/migrate.ts";
import { registerResetPassword } from "./commands/reset-password.ts";
import { registerRestore } from "./commands/restore.ts";
import { registerRotateSigningKey } from "./commands/rotate-signing-key.ts";
import { registerVerifyAudit } from "./commands/verify-audit.ts";
import { registerVerifyBackup } from "./commands/verify-backup.ts";
import type { CliIo } from "./io.ts";

export function buildProgram(io: CliIo): Command {
  const program = new Command("admin")
    .description(
      "Operate a license server from its host: migrations, admins, the signing key, backups, the audit log.\n" +
        "Uses the server's configuration (environment, LICENSE_SERVER_CONFIG, DATA_DIR/secrets.json).",
    )
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  // the order of --help
  registerMigrate(program, io);
  registerCreateAdmin(program, io);
  registerResetPassword(program, io);
  registerRotateSigningKey(program, io);
  registerBackup(program, io);
  registerVerifyBackup(program, io);
  registerRestore(program, io);
  registerVerifyAudit(program, io);
  return program;
}

/** A domain error's message with its field errors; an internal one by its cause. */
function describeError(error: unknown): string {
  if (!(error instanceof DomainError)) return errorSummary(error);
  const fields = error.fields.length
    ? ` (${error.fields.map((f) => `${f.path}: ${f.message}`).join("; ")})`
    : "";
  return `${error.code === "INTERNAL" ? `internal error: ${errorSummary(error.cause)}` : error.message}${fields}`;
}

/** Runs the CLI; returns the exit code (0 ok, 1 failed, 2 usage, 3 a broken audit chain). */
export function runAdminCli(argv: string[], io: CliIo): Promise<number> {
  return runProgram(buildProgram(io), argv, { name: "admin", stderr: io.stderr, describeError });
}
