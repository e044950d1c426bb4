// `license-release keys generate | list | rotate | retire | export-public`
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Option, type Command } from "commander";
import { keyring, passphrase, serverKeyring, type KeyOptions, type ServerOptions } from "../lib/context.ts";
import { print, type CliIo } from "../lib/io.ts";
import { mergeKeyrings, type PublicKeyEntry } from "../lib/keyring.ts";
import { CliError } from "../lib/run-program.ts";

export const keyOptions = (command: Command) =>
  command
    .option("--keys-dir <dir>", "the keyring directory (default: $LICENSE_RELEASE_KEYS or ./release-keys)")
    .option(
      "--passphrase-file <file>",
      "read the private key's passphrase from a file (else $LICENSE_RELEASE_PASSPHRASE or a prompt)",
    );

export const serverOptions = (command: Command) =>
  command
    .option("--server <url>", "the license server's URL (default: $LICENSE_SERVER_URL)")
    .option("--api-key <key>", "an admin API key (default: $LICENSE_SERVER_API_KEY; prefer the variable)");

/** The keyring as a module the SDK embeds: JSON, or TypeScript / JavaScript exporting it. */
export function keyringModule(
  keys: PublicKeyEntry[],
  format: "json" | "ts" | "js",
  generatedAt: Date,
): string {
  const json = JSON.stringify(keys, null, 2);
  if (format === "json") return json + "\n";
  const header = `// The license server's public keyring for build-time embedding (license-release keys export-public,\n// ${generatedAt.toISOString()}). Public keys only: safe to ship.\n`;
  if (format === "ts")
    return (
      header +
      `import type { PublicKeyEntry } from "@license-server/sdk/offline";\n\n` +
      `export const publicKeys: readonly PublicKeyEntry[] = ${json};\n\nexport default publicKeys;\n`
    );
  return (
    header +
    `/** @type {readonly {kid: string, publicKeyPem: string}[]} */\nexport const publicKeys = ${json};\n\nexport default publicKeys;\n`
  );
}

export function registerKeys(program: Command, io: CliIo): void {
  const keys = program
    .command("keys")
    .description("the vendor's Ed25519 signing keys (files, passphrase-protected)");

  keyOptions(
    keys
      .command("generate")
      .description("create the keyring with its first (active) key")
      .option("--json", "machine-readable output"),
  ).action(async (options: KeyOptions & { json?: boolean }) => {
    const ring = keyring(io, options);
    if (ring.exists && ring.read().some((k) => k.status === "active"))
      throw new CliError(`${ring.dir} already has an active key; use \`keys rotate\` for a new one`);
    const secret = await passphrase(io, options, "for the new key", true);
    const key = await ring.addKey(secret);
    print(
      io,
      options.json,
      { dir: ring.dir, ...key },
      `created key ${key.kid} (active) in ${ring.dir}\nkeep the passphrase safe: the key cannot be used without it`,
    );
  });

  keyOptions(
    keys
      .command("rotate")
      .description(
        "make a new active key; the previous one stays published, so what it signed keeps verifying",
      )
      .option("--json", "machine-readable output"),
  ).action(async (options: KeyOptions & { json?: boolean }) => {
    const ring = keyring(io, options);
    const previous = ring.read().find((k) => k.status === "active");
    const secret = await passphrase(io, options, "for the new key", true);
    const key = await ring.addKey(secret);
    print(
      io,
      options.json,
      { dir: ring.dir, ...key, previous: previous?.kid ?? null },
      `key ${key.kid} is active${previous ? `; ${previous.kid} stays published` : ""}\nexport the public keyring again and ship it with your next release`,
    );
  });

  keys
    .command("retire")
    .description("take a published key out of exported keyrings (its signatures stop verifying there)")
    .argument("<kid>", "the key id")
    .option("--keys-dir <dir>", "the keyring directory")
    .option("--json", "machine-readable output")
    .action((kid: string, options: KeyOptions & { json?: boolean }) => {
      const key = keyring(io, options).retire(kid);
      print(io, options.json, key, `key ${kid} retired`);
    });

  keys
    .command("list")
    .description("the keys in the keyring with their status")
    .option("--keys-dir <dir>", "the keyring directory")
    .option("--json", "machine-readable output")
    .action((options: KeyOptions & { json?: boolean }) => {
      const list = keyring(io, options).read();
      const rows = list.map((k) => `${k.kid}  ${k.status.padEnd(9)}  ${k.createdAt}`);
      print(io, options.json, list, ["kid               status     created", ...rows].join("\n"));
    });

  serverOptions(
    keys
      .command("export-public")
      .description(
        "write the public keyring in the form the SDK embeds ([{kid, publicKeyPem}] as JSON, or a TS/JS module); " +
          "--server adds the server's keys, which verify .lic files and grace tokens",
      )
      .addOption(
        new Option("--format <format>", "json, ts or js").choices(["json", "ts", "js"]).default("json"),
      )
      .option("--out <file>", "write here (default: standard output)")
      .option("--keys-dir <dir>", "the vendor keyring directory")
      .option("--no-vendor", "leave out the vendor's own keys")
      .option("--from-server", "add the server's published signing keys (needs --server and an API key)"),
  ).action(
    async (
      options: KeyOptions &
        ServerOptions & { format: "json" | "ts" | "js"; out?: string; vendor: boolean; fromServer?: boolean },
    ) => {
      const vendor = options.vendor ? keyring(io, options).publicKeys() : [];
      const server = options.fromServer ? await serverKeyring(io, options) : [];
      const all = mergeKeyrings(server, vendor);
      if (all.length === 0)
        throw new CliError("the keyring would be empty: use --from-server, or keep the vendor keys");
      const text = keyringModule(all, options.format, new Date());
      if (!options.out) {
        io.stdout(text);
        return;
      }
      const out = resolve(io.cwd, options.out);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, text);
      io.stderr(`wrote ${all.length} key(s) to ${out}\n`);
    },
  );
}
