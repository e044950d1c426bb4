// What the admin CLI's commands print and read through: the process in scripts/admin.ts, a
// recorder in the tests. Failures are a CliError (one line, an exit code) and results print as the
// release CLI's do: both come from its runner (release-cli/src/lib/run-program.ts).
export { CliError, mib, printResult as output } from "../../../release-cli/src/lib/run-program.ts";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** the whole of standard input (for --password-stdin) */
  readStdin: () => Promise<string>;
  env: Record<string, string | undefined>;
  /** whether stderr is a terminal (progress lines) */
  interactive: boolean;
}
