// `admin verify-audit`: walks the audit log's hash chain, compares it with the signed checkpoint
// in DATA_DIR and reports the first broken link (exit code 3); --reanchor replaces the checkpoint
// with the head of a chain that verifies on its own.
import type { Command } from "commander";
import { anchorIn, checkpointAuditHead } from "../../core/audit/checkpoint.ts";
import { verifyWholeAuditChain } from "../../core/audit/verify-audit-chain.ts";
import { chainText } from "../audit-text.ts";
import { serverConfig, withDatabase } from "../context.ts";
import { CliError, output, type CliIo } from "../io.ts";

export function registerVerifyAudit(program: Command, io: CliIo): void {
  program
    .command("verify-audit")
    .description(
      "walk the audit log's hash chain, compare it with the signed checkpoint in DATA_DIR and report the first broken link",
    )
    .option(
      "--reanchor",
      "when the chain itself verifies, replace the checkpoint with its head (after moving the server to another database)",
    )
    .option("--json", "machine-readable output")
    .action(async (options: { json?: boolean; reanchor?: boolean }) => {
      const cfg = serverConfig(io);
      const anchor = anchorIn(cfg.dataDir);
      const { report, reanchored } = await withDatabase(cfg, async (ctx) => {
        // re-anchoring compares with no checkpoint: the chain must verify on its own first
        const report = await verifyWholeAuditChain(ctx, {}, options.reanchor ? undefined : anchor);
        const reanchored =
          options.reanchor && report.ok
            ? await checkpointAuditHead(
                { db: ctx.db, encryptionKey: ctx.encryptionKey, logger: ctx.logger },
                anchor,
                { force: true },
              )
            : undefined;
        return { report, reanchored };
      });
      for (const warning of report.warnings) io.stderr(`admin: warning: ${warning}\n`);
      output(
        io,
        options.json,
        reanchored ? { ...report, reanchored } : report,
        chainText(report, reanchored),
      );
      if (!report.ok) throw new CliError("the audit chain does not verify", 3);
      if (reanchored && !reanchored.written)
        throw new CliError(`no checkpoint written: ${reanchored.detail ?? reanchored.reason}`);
    });
}
