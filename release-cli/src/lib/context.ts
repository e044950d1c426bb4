// Where commands get their secrets and their server: passphrases (a file, the environment or the
// terminal, never the command line) and the admin client (the SDK's; an API key from the
// environment or --api-key).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { AdminClientError, createAdminClient, type AdminClient } from "@license-server/sdk";
import type { CliIo } from "./io.ts";
import { Keyring, type PublicKeyEntry } from "./keyring.ts";
import { CliError } from "./run-program.ts";

export const PASSPHRASE_ENV = "LICENSE_RELEASE_PASSPHRASE";
export const KEYS_DIR_ENV = "LICENSE_RELEASE_KEYS";
export const SERVER_ENV = "LICENSE_SERVER_URL";
export const API_KEY_ENV = "LICENSE_SERVER_API_KEY";

export interface KeyOptions {
  keysDir?: string;
  passphraseFile?: string;
}

export interface ServerOptions {
  server?: string;
  apiKey?: string;
}

export function keyring(io: CliIo, options: KeyOptions): Keyring {
  return new Keyring(resolve(io.cwd, options.keysDir ?? io.env[KEYS_DIR_ENV] ?? "release-keys"));
}

/** The passphrase: --passphrase-file, else $LICENSE_RELEASE_PASSPHRASE, else asked on the terminal. */
export async function passphrase(
  io: CliIo,
  options: KeyOptions,
  purpose: string,
  confirm = false,
): Promise<string> {
  if (options.passphraseFile) {
    try {
      return readFileSync(resolve(io.cwd, options.passphraseFile), "utf8").replace(/\r?\n$/, "");
    } catch (error) {
      throw new CliError(`--passphrase-file: ${(error as Error).message}`);
    }
  }
  const fromEnv = io.env[PASSPHRASE_ENV];
  if (fromEnv) return fromEnv;
  if (!io.promptSecret)
    throw new CliError(`a passphrase is needed ${purpose}: set ${PASSPHRASE_ENV} or use --passphrase-file`);
  const first = await io.promptSecret(`Passphrase ${purpose}: `);
  if (confirm && (await io.promptSecret("Repeat it: ")) !== first)
    throw new CliError("the passphrases differ");
  return first;
}

export function adminClient(io: CliIo, options: ServerOptions): { client: AdminClient; url: string } {
  const url = options.server ?? io.env[SERVER_ENV];
  const apiKey = options.apiKey ?? io.env[API_KEY_ENV];
  if (!url) throw new CliError(`no server: use --server <url> or set ${SERVER_ENV}`, 2);
  if (!apiKey) throw new CliError(`no API key: set ${API_KEY_ENV} (or use --api-key)`, 2);
  try {
    new URL(url);
  } catch {
    throw new CliError(`--server: ${url} is not a URL (e.g. https://licenses.example.com)`, 2);
  }
  return { client: createAdminClient({ url, apiKey }), url };
}

/** An admin API failure in one line: the server's message and the fields it names. */
export function describeAdminError(error: unknown, url: string): CliError {
  if (error instanceof AdminClientError) {
    const data = error.data as
      { httpStatus?: number; fields?: { path: string; message: string }[] } | undefined;
    const fields = data?.fields?.length
      ? ` (${data.fields.map((f) => `${f.path}: ${f.message}`).join("; ")})`
      : "";
    if (data?.httpStatus === 401)
      return new CliError(`the server at ${url} refused the API key: ${error.message}`);
    if (data?.httpStatus)
      return new CliError(`the server answered ${data.httpStatus}: ${error.message}${fields}`);
    return new CliError(`cannot reach the server at ${url}: ${error.message}`);
  }
  return new CliError(`cannot reach the server at ${url}: ${(error as Error).message}`);
}

export async function callServer<T>(url: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw describeAdminError(error, url);
  }
}

/** The server's published keyring (the keys that sign `.lic` files and grace tokens). */
export async function serverKeyring(io: CliIo, options: ServerOptions): Promise<PublicKeyEntry[]> {
  const { client, url } = adminClient(io, options);
  const keys = await callServer(url, () => client.signingKeys.list.query({}));
  return keys
    .filter((k) => k.status !== "retired")
    .map((k) => ({ kid: k.kid, publicKeyPem: k.publicKeyPem }));
}
