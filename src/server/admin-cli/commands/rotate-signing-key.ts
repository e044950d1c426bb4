// `admin rotate-signing-key`: a new Ed25519 signing key; the previous one stays published for
// verification.
import type { Command } from "commander";
import { rotateSigningKey } from "../../core/signing-keys/rotate-signing-key.ts";
import { serverConfig, withDatabase } from "../context.ts";
import { output, type CliIo } from "../io.ts";

export function registerRotateSigningKey(program: Command, io: CliIo): void {
  program
    .command("rotate-signing-key")
    .description("make a new Ed25519 signing key; the previous one stays published for verification")
    .option("--json", "machine-readable output")
    .action(async (options: { json?: boolean }) => {
      const cfg = serverConfig(io);
      const key = await withDatabase(cfg, (ctx) => rotateSigningKey(ctx));
      output(
        io,
        options.json,
        { kid: key.kid, status: key.status, activatedAt: key.activatedAt },
        `signing key ${key.kid} is active; ship the new public keyring with your next release`,
      );
    });
}
