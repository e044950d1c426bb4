// license-release: signing keys, license files, customer packages and server builds. It reaches
// the license server only through the SDK's admin client (an API key), never its internals.
import { Command } from "commander";
import { registerBuild } from "./commands/build.ts";
import { registerKeys } from "./commands/keys.ts";
import { registerLicense } from "./commands/license.ts";
import { registerPackage } from "./commands/package.ts";
import { registerRelease } from "./commands/release.ts";
import type { CliIo } from "./lib/io.ts";
import { runProgram } from "./lib/run-program.ts";

export const VERSION = "0.1.0";

export function buildProgram(io: CliIo): Command {
  const program = new Command("license-release")
    .description(
      "Release engineering for the license server: vendor signing keys, offline license files, product releases, signed customer packages, server builds.\n" +
        "Server access: --server <url> or LICENSE_SERVER_URL, and an admin API key in LICENSE_SERVER_API_KEY.",
    )
    .version(VERSION)
    // options belong to the command they follow (package has its own verify subcommand)
    .enablePositionalOptions()
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  registerKeys(program, io);
  registerLicense(program, io);
  registerPackage(program, io);
  registerRelease(program, io);
  registerBuild(program, io);
  // every command reports usage errors with its help and exits 2
  const configure = (command: Command) => {
    command.showHelpAfterError().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).exitOverride();
    command.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 failed or invalid, 2 usage). */
export function runCli(argv: string[], io: CliIo): Promise<number> {
  return runProgram(buildProgram(io), argv, { name: "license-release", stderr: io.stderr });
}
