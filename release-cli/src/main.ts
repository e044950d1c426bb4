// The license-release process: the CLI on the real terminal, environment and working directory.
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { runCli } from "./cli.ts";

/** Asks on the terminal without echoing what is typed. */
function promptSecret(question: string): Promise<string> {
  process.stderr.write(question);
  const muted = new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    rl.question("", (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolve(answer);
    });
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  interactive: process.stderr.isTTY,
  ...(process.stdin.isTTY ? { promptSecret } : {}),
  cwd: process.cwd(),
});
process.exitCode = code;
// admin client sockets and timers must not keep a finished command alive
setImmediate(() => process.exit(code));
