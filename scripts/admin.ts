// `npm run admin -- <command>`: the operator's command line (src/server/admin-cli). `--help` lists
// the commands: migrate, create-admin, reset-password, rotate-signing-key, backup, verify-backup,
// restore, verify-audit.
import { runAdminCli } from "../src/server/admin-cli/program.ts";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const code = await runAdminCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin,
  env: process.env,
  interactive: process.stderr.isTTY,
});
// the schema engine and database pools may leave timers behind: exit once done
process.exitCode = code;
setImmediate(() => process.exit(code));
