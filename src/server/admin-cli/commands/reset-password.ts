// `admin reset-password <email>`: a local admin's new password (earlier sign-ins end); without
// --password-stdin one is generated and printed once.
import type { Command } from "commander";
import { setAdminPassword } from "../../core/admins/set-admin-password.ts";
import { readPassword, serverConfig, withDatabase } from "../context.ts";
import { CliError, output, type CliIo } from "../io.ts";

export function registerResetPassword(program: Command, io: CliIo): void {
  program
    .command("reset-password")
    .description("set a local admin's password; without --password-stdin one is generated and printed once")
    .argument("<email>", "the admin's sign-in email")
    .option("--password-stdin", "read the password from standard input")
    .option("--json", "machine-readable output")
    .action(async (email: string, options: { passwordStdin?: boolean; json?: boolean }) => {
      const cfg = serverConfig(io);
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
}
