// `license-release package` (build a customer package) and `license-release package verify`.
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { verifyLicenseFile } from "@license-server/sdk/offline";
import type { Command } from "commander";
import { buildPackage } from "../lib/customer-package/build-package.ts";
import { verifyPackage } from "../lib/customer-package/verify-package.ts";
import { keyring, passphrase, serverKeyring, type KeyOptions, type ServerOptions } from "../lib/context.ts";
import { mib, print, Progress, type CliIo } from "../lib/io.ts";
import { mergeKeyrings, readPublicKeyring } from "../lib/keyring.ts";
import { CliError } from "../lib/run-program.ts";
import { keyOptions, serverOptions } from "./keys.ts";
import { checkoutLicense, parsePositive } from "./license.ts";

interface PackageOptions extends KeyOptions, ServerOptions {
  artifact?: string[];
  lic?: string;
  license?: string;
  days?: number;
  fingerprint?: string;
  encrypt?: boolean;
  keyring?: string[];
  name?: string;
  out?: string;
  grpc?: string;
  rest?: string;
  licenseKey?: string;
  json?: boolean;
}

const slug = (text: string) =>
  text
    .normalize("NFKD")
    .replace(/[^\w.-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase()
    .slice(0, 60) || "package";

export function registerPackage(program: Command, io: CliIo): void {
  const pkg = keyOptions(
    serverOptions(
      program
        .command("package")
        .description(
          "build a customer package: artifacts, the customer's .lic, the public keyring, an SDK config, a README, " +
            "and a SHA-256 manifest signed with the vendor's active key (subcommand: verify)",
        )
        // options belong to the command they follow: `package verify --json` is verify's
        .enablePositionalOptions()
        .option("--artifact <path...>", "files or folders of the software to ship (required)")
        .option("--lic <file>", "the customer's .lic (else --license checks one out)")
        .option("--license <id|key>", "check the .lic out through the admin API")
        .option("--days <n>", "with --license: validity in days", (v) => parsePositive(v, "--days"))
        .option(
          "--fingerprint <fp>",
          "with --license: bind to this machine; with --lic: read an encrypted file",
        )
        .option("--encrypt", "with --license: encrypt the file for the machine")
        .option(
          "--keyring <file...>",
          "the keyring that verifies the .lic (default: the server's, with --server)",
        )
        .option("--name <name>", "the package's folder and file name (default: <product>-<customer>-<date>)")
        .option("--out <file>", "the tar.gz to write (default: <name>.tar.gz here)")
        .option("--grpc <host:port>", "the SDK config's gRPC address of the license server")
        .option("--rest <url>", "the SDK config's REST address of the license server")
        .option("--license-key <key>", "put the customer's license key into the SDK config")
        .option("--json", "machine-readable output"),
    ),
  ).action(async (options: PackageOptions) => {
    const progress = new Progress(io, "hashing");
    const steps = 4;
    const artifacts = options.artifact ?? [];
    if (artifacts.length === 0) throw new CliError("give the software to ship: --artifact <path...>", 2);
    if (!options.lic === !options.license)
      throw new CliError("give exactly one of --lic <file> and --license <id|key>", 2);

    progress.step(
      1,
      steps,
      options.lic ? `reading ${options.lic}` : `checking out a license file for ${options.license ?? ""}`,
    );
    let licenseText: string;
    let licenseFileName: string;
    let licenseKey = options.licenseKey ?? null;
    if (options.lic) {
      try {
        licenseText = readFileSync(resolve(io.cwd, options.lic), "utf8");
      } catch (error) {
        throw new CliError(`--lic: ${(error as Error).message}`);
      }
      licenseFileName = basename(options.lic);
    } else {
      const { license, checkout } = await checkoutLicense(io, { ...options, license: options.license ?? "" });
      licenseText = checkout.content;
      licenseFileName = checkout.fileName;
      if (options.licenseKey === undefined) licenseKey = license.key;
    }

    progress.step(2, steps, "checking the license file against the keyring");
    const fileKeys = (options.keyring ?? []).flatMap((p) => readPublicKeyring(resolve(io.cwd, p)));
    const wantServer =
      options.server !== undefined || (fileKeys.length === 0 && io.env.LICENSE_SERVER_URL !== undefined);
    const keys = mergeKeyrings(fileKeys, wantServer ? await serverKeyring(io, options) : []);
    if (keys.length === 0)
      throw new CliError("no keyring for the license file: give --keyring <file> or --server", 2);
    const result = await verifyLicenseFile(licenseText, keys, {
      ...(options.fingerprint !== undefined ? { fingerprint: options.fingerprint } : {}),
    });
    if (!result.valid && result.reason !== "FINGERPRINT_REQUIRED")
      throw new CliError(`the license file does not verify with the keyring: ${result.reason}`);

    progress.step(3, steps, "unlocking the vendor's signing key");
    const ring = keyring(io, options);
    const active = ring.active();
    const privateKey = await ring.unlock(active.kid, await passphrase(io, options, `for key ${active.kid}`));

    const now = new Date();
    const licensed = result.valid ? result : null;
    const name =
      options.name ??
      slug(
        [
          licensed?.payload.product.code ?? "package",
          licensed?.payload.customer.name ?? "",
          now.toISOString().slice(0, 10),
        ]
          .filter(Boolean)
          .join("-"),
      );
    if (!/^[\w.-]+$/.test(name))
      throw new CliError(`--name: use letters, digits, dots, dashes and underscores`, 2);
    const out = resolve(io.cwd, options.out ?? `${name}.tar.gz`);
    progress.step(4, steps, `packaging ${artifacts.length} artifact(s) into ${out}`);
    const server =
      options.grpc || options.rest
        ? { ...(options.grpc ? { grpc: options.grpc } : {}), ...(options.rest ? { rest: options.rest } : {}) }
        : null;
    const manifest = await buildPackage({
      name,
      out,
      artifacts: artifacts.map((a) => resolve(io.cwd, a)),
      licenseText,
      licenseFileName,
      keyring: keys,
      licensed,
      server,
      licenseKey,
      signer: { kid: active.kid, privateKey },
      now,
      onProgress: (done, total, what) => {
        progress.update(done, total, what);
      },
    });
    progress.done();
    const bytes = manifest.files.reduce((sum, f) => sum + f.size, 0);
    print(
      io,
      options.json,
      { path: out, signedBy: active.kid, manifest },
      `wrote ${out}\n  ${manifest.files.length} files (${mib(bytes)}), manifest signed by ${active.kid}`,
    );
  });

  pkg
    .command("verify")
    .description(
      "check a customer package end to end: signature by a trusted key, every file, the .lic, the SDK config",
    )
    .argument("<file>", "the package (.tar.gz)")
    .option(
      "--trusted-keys <file...>",
      "the vendor's public keyring(s) (keys export-public); default: the local keyring",
    )
    .option("--keys-dir <dir>", "the local keyring directory (when no --trusted-keys)")
    .option("--fingerprint <fp>", "check the license file's machine binding")
    .option("--at <time>", "check the license file at this time (ISO 8601)")
    .option("--json", "machine-readable output")
    .action(
      async (
        file: string,
        options: {
          trustedKeys?: string[];
          keysDir?: string;
          fingerprint?: string;
          at?: string;
          json?: boolean;
        },
      ) => {
        const trusted = options.trustedKeys?.length
          ? options.trustedKeys.flatMap((p) => readPublicKeyring(resolve(io.cwd, p)))
          : keyring(io, options).publicKeys();
        const now = options.at ? new Date(options.at) : new Date();
        if (Number.isNaN(now.getTime())) throw new CliError(`--at: ${options.at ?? ""} is not a time`, 2);
        const report = await verifyPackage(resolve(io.cwd, file), trusted, {
          now,
          ...(options.fingerprint !== undefined ? { fingerprint: options.fingerprint } : {}),
        });
        const lines = report.checks.map(
          (c) => `  ${c.ok ? "ok  " : "FAIL"} ${c.check.padEnd(13)} ${c.detail}`,
        );
        print(
          io,
          options.json,
          { ok: report.ok, name: report.name, signedBy: report.signedBy, checks: report.checks },
          `${report.ok ? "package OK" : "package REJECTED"}: ${report.name ?? file}\n${lines.join("\n")}`,
        );
        if (!report.ok) throw new CliError("", 1);
      },
    );
}
