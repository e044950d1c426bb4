// `admin create-admin`: an admin account in the groups named (default: the first group); without
// --password-stdin a password is generated and printed once.
import { Option, type Command } from "commander";
import { createAdmin } from "../../core/admins/create-admin.ts";
import { ROLES, type Role } from "../../core/context.ts";
import { readPassword, serverConfig, withDatabase } from "../context.ts";
import { CliError, output, type CliIo } from "../io.ts";

export function registerCreateAdmin(program: Command, io: CliIo): void {
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
        const cfg = serverConfig(io);
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
}
