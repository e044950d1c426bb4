// `license-release license checkout | verify`: a `.lic` through the admin API, and offline checks
// of any `.lic` with the SDK's verifier.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { verifyLicenseFile, type LicenseFileResult } from "@license-server/sdk/offline";
import type { Command } from "commander";
import { adminClient, callServer, serverKeyring, type ServerOptions } from "../lib/context.ts";
import { print, type CliIo } from "../lib/io.ts";
import { readPublicKeyring, type PublicKeyEntry } from "../lib/keyring.ts";
import { CliError } from "../lib/run-program.ts";
import { serverOptions } from "./keys.ts";

const LICENSE_KEY = /^[0-9A-Za-z]{5}(-[0-9A-Za-z]{5}){4}$/;

export interface CheckoutOptions extends ServerOptions {
  license: string;
  days?: number;
  fingerprint?: string;
  encrypt?: boolean;
}

/** Checks out a `.lic` (by license id or key) through the admin API. */
export async function checkoutLicense(io: CliIo, options: CheckoutOptions) {
  const { client, url } = adminClient(io, options);
  const license = await callServer(url, () =>
    LICENSE_KEY.test(options.license)
      ? client.licenses.getByKey.query({ key: options.license })
      : client.licenses.get.query({ id: options.license }),
  );
  const checkout = await callServer(url, () =>
    client.offline.checkout.mutate({
      id: license.id,
      ...(options.days !== undefined ? { days: options.days } : {}),
      ...(options.fingerprint !== undefined ? { fingerprint: options.fingerprint } : {}),
      encrypt: options.encrypt ?? false,
    }),
  );
  return { license, checkout };
}

/** The keyring to verify with: --keyring files, and/or the server's (--server). */
export async function verificationKeys(
  io: CliIo,
  options: ServerOptions & { keyring?: string[]; fromServer?: boolean },
): Promise<PublicKeyEntry[]> {
  const keys = (options.keyring ?? []).flatMap((path) => readPublicKeyring(resolve(io.cwd, path)));
  if (options.fromServer) keys.push(...(await serverKeyring(io, options)));
  if (keys.length === 0)
    throw new CliError("no keys to verify with: give --keyring <file> or --from-server", 2);
  return keys;
}

const REASONS: Record<string, string> = {
  MALFORMED: "not a license file, or it was changed",
  UNSUPPORTED: "a format this verifier does not know",
  UNKNOWN_KEY: "signed by a key that is not in the keyring",
  BAD_SIGNATURE: "the signature does not match: the file was changed or signed by someone else",
  FINGERPRINT_REQUIRED: "the file is bound to a machine: give --fingerprint",
  FINGERPRINT_MISMATCH: "the file is bound to another machine",
  EXPIRED: "expired",
  NOT_YET_VALID: "not valid yet",
  LICENSE_MISMATCH: "the file is for another license key",
  PRODUCT_MISMATCH: "the file is for another product",
};

export function describeResult(result: LicenseFileResult): string {
  if (!result.valid) return `INVALID: ${result.reason} — ${REASONS[result.reason] ?? result.reason}`;
  const p = result.payload;
  return [
    `VALID: signed by ${result.kid}${result.encrypted ? ", encrypted" : ""}`,
    `  product   ${p.product.code} (${p.product.name})`,
    `  customer  ${p.customer.name}`,
    `  license   ${p.license.id} (${p.license.type}, ${p.license.seats} seat(s))`,
    `  valid     ${p.notBefore} → ${p.expiresAt}`,
    `  machine   ${p.fingerprint ?? "any"}`,
    `  features  ${p.entitlements.map((e) => e.code).join(", ") || "none"}`,
  ].join("\n");
}

export function registerLicense(program: Command, io: CliIo): void {
  const license = program.command("license").description("offline license files (.lic)");

  serverOptions(
    license
      .command("checkout")
      .description("check out a signed .lic through the admin API (an API key with the editor role)")
      .requiredOption("--license <id|key>", "the license's id or key")
      .option("--days <n>", "validity in days (default: the license's offline allowance)", (v) =>
        parsePositive(v, "--days"),
      )
      .option("--fingerprint <fp>", "bind the file to this machine")
      .option("--encrypt", "encrypt the payload for the bound machine (needs --fingerprint)")
      .option("--out <file>", "where to write it (default: the server's file name, here)")
      .option("--json", "machine-readable output"),
  ).action(async (options: CheckoutOptions & { out?: string; json?: boolean }) => {
    const { checkout } = await checkoutLicense(io, options);
    const out = resolve(io.cwd, options.out ?? checkout.fileName);
    writeFileSync(out, checkout.content);
    print(
      io,
      options.json,
      { path: out, issuance: checkout.issuance },
      `wrote ${out}\n  key ${checkout.issuance.kid}, valid until ${checkout.issuance.expiresAt}` +
        (checkout.issuance.fingerprint ? `, bound to ${checkout.issuance.fingerprint}` : ""),
    );
  });

  serverOptions(
    license
      .command("verify")
      .description("verify a .lic offline: signature, validity window, binding, license key and product")
      .argument("<file>", "the .lic file")
      .option(
        "--keyring <file...>",
        "public keyring(s) ([{kid, publicKeyPem}], e.g. from keys export-public)",
      )
      .option("--from-server", "also trust the server's published keys (needs --server and an API key)")
      .option("--fingerprint <fp>", "this machine's fingerprint (bound and encrypted files)")
      .option("--license-key <key>", "refuse a file for another license key")
      .option("--product <code>", "refuse a file for another product")
      .option("--at <time>", "check at this time (ISO 8601) instead of now")
      .option("--json", "machine-readable output"),
  ).action(
    async (
      file: string,
      options: ServerOptions & {
        keyring?: string[];
        fromServer?: boolean;
        fingerprint?: string;
        licenseKey?: string;
        product?: string;
        at?: string;
        json?: boolean;
      },
    ) => {
      const keys = await verificationKeys(io, options);
      let text: string;
      try {
        text = readFileSync(resolve(io.cwd, file), "utf8");
      } catch (error) {
        throw new CliError(`${file}: ${(error as Error).message}`);
      }
      const now = options.at ? new Date(options.at) : new Date();
      if (Number.isNaN(now.getTime())) throw new CliError(`--at: ${options.at ?? ""} is not a time`, 2);
      const result = await verifyLicenseFile(text, keys, {
        now,
        ...(options.fingerprint !== undefined ? { fingerprint: options.fingerprint } : {}),
        ...(options.licenseKey !== undefined ? { licenseKey: options.licenseKey } : {}),
        ...(options.product !== undefined ? { productCode: options.product } : {}),
      });
      print(io, options.json, result, describeResult(result));
      if (!result.valid) throw new CliError("", 1);
    },
  );
}

export function parsePositive(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError(`${what}: ${value} is not a positive whole number`, 2);
  return n;
}
