// How both command lines run and print their results: license-release (src/cli.ts) and the server's admin CLI
// (src/server/admin-cli/program.ts). Parses the arguments, runs the command, and turns what it
// threw into an exit code and one line on stderr. It needs only commander's types, so it lives in
// the release CLI's own package (which must not reach outside its folder) and the admin CLI
// imports it from here; the server build bundles it into bin/admin.mjs with the rest.
import type { Command } from "commander";

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

export interface RunOptions {
  /** what error lines start with: `<name>: <message>` */
  name: string;
  stderr: (text: string) => void;
  /** the message of an error that is not a CliError (default: its message) */
  describeError?: (error: unknown) => string;
}

const errorMessage = (error: unknown) => (error as Error).message;

/** A command's result: JSON with --json, else the text; one trailing newline either way. */
export function printResult(
  io: { stdout: (text: string) => void },
  json: boolean | undefined,
  value: unknown,
  text: string,
): void {
  io.stdout(json ? JSON.stringify(value, null, 2) + "\n" : text.endsWith("\n") ? text : `${text}\n`);
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * Runs the program on the user's arguments; returns the exit code: 0 ok (help and version
 * included), 2 usage (commander's errors, printed with the command's help), a CliError's own code,
 * 1 for anything else.
 */
export async function runProgram(program: Command, argv: string[], options: RunOptions): Promise<number> {
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "commander.helpDisplayed" || code === "commander.version" || code === "commander.help")
      return 0;
    if (code === "commander.executeSubCommandAsync") return 0;
    if (typeof code === "string" && code.startsWith("commander.")) return 2;
    if (error instanceof CliError) {
      if (error.message) options.stderr(`${options.name}: ${error.message}\n`);
      return error.exitCode;
    }
    options.stderr(`${options.name}: ${(options.describeError ?? errorMessage)(error)}\n`);
    return 1;
  }
}
