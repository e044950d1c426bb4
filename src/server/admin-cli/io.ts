// What the admin CLI's commands print and read through: the process in scripts/admin.ts, a
// recorder in the tests. Failures are a CliError (one line, an exit code), the same class the
// release CLI's runner reports (release-cli/src/lib/run-program.ts).
export { CliError } from "../../../release-cli/src/lib/run-program.ts";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** the whole of standard input (for --password-stdin) */
  readStdin: () => Promise<string>;
  env: Record<string, string | undefined>;
  /** whether stderr is a terminal (progress lines) */
  interactive: boolean;
}

/** JSON with --json, else the text; one trailing newline either way. */
export function output(io: CliIo, json: boolean | undefined, value: unknown, text: string): void {
  io.stdout(json ? JSON.stringify(value, null, 2) + "\n" : text.endsWith("\n") ? text : `${text}\n`);
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
