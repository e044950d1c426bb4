// Customer packages: a tar.gz holding the software's artifacts, the customer's `.lic`, the public
// keyring that verifies it, an SDK configuration, a README, and MANIFEST.json (every other file's
// size and SHA-256) signed with the vendor's Ed25519 key in MANIFEST.sig. Verification trusts
// only the keys it is given, checks the signature, then every file against the manifest (nothing
// missing, nothing extra, no byte changed), then the `.lic` with the packaged keyring.
import { createHash, type KeyObject } from "node:crypto";
import {
  cpSync,
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, posix, relative, resolve, sep } from "node:path";
import { verifyLicenseFile, type LicenseFileResult } from "@license-server/sdk/offline";
import * as tar from "tar";
import { signWithContext, verifyWithContext, type PublicKeyEntry } from "./keyring.ts";
import { CliError } from "./run-program.ts";

export const MANIFEST = "MANIFEST.json";
export const SIGNATURE = "MANIFEST.sig";
const PACKAGE_FORMAT = "license-release-package";
const SIGNING_CONTEXT = "license-release/package-manifest/v1";
/** Files read into memory during verification (everything else is only hashed). */
const SMALL_FILE = 4 * 1024 * 1024;

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: typeof PACKAGE_FORMAT;
  version: 1;
  name: string;
  createdAt: string;
  product: { code: string; name: string } | null;
  customer: { id: string; name: string } | null;
  license: { id: string; file: string; kid: string; expiresAt: string; fingerprint: string | null } | null;
  sdkConfig: string;
  keyring: string;
  files: ManifestFile[];
}

export interface SdkConfig {
  product: string | null;
  server: { grpc?: string; rest?: string } | null;
  licenseKey: string | null;
  /** paths inside the package */
  licenseFile: string;
  publicKeys: string;
}

export interface PackageInput {
  name: string;
  out: string;
  artifacts: string[];
  licenseText: string;
  licenseFileName: string;
  /** the keyring that verifies the .lic (the server's keys) */
  keyring: PublicKeyEntry[];
  /** what the .lic says (verified by the caller), or null when it could not be read */
  licensed: Extract<LicenseFileResult, { valid: true }> | null;
  server: { grpc?: string; rest?: string } | null;
  licenseKey: string | null;
  signer: { kid: string; privateKey: KeyObject };
  now: Date;
  onProgress?: (done: number, total: number, what: string) => void;
}

async function hashFile(
  path: string,
  onBytes?: (n: number) => void,
): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onBytes?.((chunk as Buffer).length);
  }
  return { size, sha256: hash.digest("hex") };
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    if (entry.isFile()) return [path];
    throw new CliError(`${path}: only regular files and folders can be packaged`);
  });
}

const toPosix = (path: string) => path.split(sep).join(posix.sep);

function readme(manifest: Manifest, config: SdkConfig, signerKid: string): string {
  const lines = [
    `# ${manifest.name}`,
    "",
    `Made ${manifest.createdAt}${manifest.customer ? ` for ${manifest.customer.name}` : ""}${manifest.product ? `: ${manifest.product.name} (${manifest.product.code})` : ""}.`,
    "",
    "## Contents",
    "",
    "| path | what |",
    "|---|---|",
    "| `artifacts/` | the software |",
    `| \`${config.licenseFile}\` | your license file (signed; ${manifest.license ? `valid until ${manifest.license.expiresAt}${manifest.license.fingerprint ? `, for machine ${manifest.license.fingerprint}` : ""}` : "see inside"}) |`,
    `| \`${config.publicKeys}\` | the public keys that verify the license file |`,
    `| \`${manifest.sdkConfig}\` | the license client's settings |`,
    `| \`${MANIFEST}\`, \`${SIGNATURE}\` | every file's SHA-256, signed by the vendor (key \`${signerKid}\`) |`,
    "",
    "## Checking the package",
    "",
    "With the vendor's public keyring (published separately, never taken from the package itself):",
    "",
    "```sh",
    `license-release package verify ${manifest.name}.tar.gz --trusted-keys vendor-keys.json`,
    "```",
    "",
    "or by hand: `sha256sum` of each file against MANIFEST.json, and the Ed25519 signature in",
    `MANIFEST.sig over the line "${SIGNING_CONTEXT}" followed by the bytes of MANIFEST.json.`,
    "",
    "## Installing",
    "",
    "Keep the license file and the keyring where the configuration points (paths are relative to",
    "this folder). The software checks the license online when it can reach the license server and",
    "falls back to the license file when it cannot. With the license client (`@license-server/sdk`):",
    "",
    "```ts",
    'const config = JSON.parse(readFileSync(join(dir, "config/license-client.json"), "utf8"));',
    "const license = new LicenseClient({",
    "  ...(config.server ? { server: config.server } : {}),",
    "  product: config.product,",
    "  licenseKey: config.licenseKey,",
    '  publicKeys: JSON.parse(readFileSync(join(dir, config.publicKeys), "utf8")),',
    '  licenseFile: readFileSync(join(dir, config.licenseFile), "utf8"),',
    "});",
    "```",
    "",
  ];
  return lines.join("\n");
}

/** Builds the package; returns its manifest. */
export async function buildPackage(input: PackageInput): Promise<Manifest> {
  const stage = mkdtempSync(join(tmpdir(), "license-package-"));
  try {
    const root = join(stage, input.name);
    const artifactsDir = join(root, "artifacts");
    mkdirSync(artifactsDir, { recursive: true });
    const taken = new Set<string>();
    for (const artifact of input.artifacts) {
      const source = resolve(artifact);
      let stat;
      try {
        stat = statSync(source);
      } catch {
        throw new CliError(`artifact ${artifact} does not exist`);
      }
      const name = basename(source);
      if (taken.has(name)) throw new CliError(`two artifacts are named ${name}`);
      taken.add(name);
      if (!stat.isFile() && !stat.isDirectory())
        throw new CliError(`artifact ${artifact} is neither a file nor a folder`);
      cpSync(source, join(artifactsDir, name), {
        recursive: true,
        dereference: false,
        verbatimSymlinks: true,
      });
    }
    const licenseFile = posix.join("license", input.licenseFileName);
    const keyringFile = "keys/public-keys.json";
    const sdkConfigFile = "config/license-client.json";
    const config: SdkConfig = {
      product: input.licensed?.payload.product.code ?? null,
      server: input.server,
      licenseKey: input.licenseKey,
      licenseFile,
      publicKeys: keyringFile,
    };
    mkdirSync(join(root, "license"), { recursive: true });
    mkdirSync(join(root, "keys"), { recursive: true });
    mkdirSync(join(root, "config"), { recursive: true });
    writeFileSync(join(root, licenseFile), input.licenseText);
    writeFileSync(join(root, keyringFile), JSON.stringify(input.keyring, null, 2) + "\n");
    writeFileSync(join(root, sdkConfigFile), JSON.stringify(config, null, 2) + "\n");

    const p = input.licensed?.payload;
    const manifest: Manifest = {
      format: PACKAGE_FORMAT,
      version: 1,
      name: input.name,
      createdAt: input.now.toISOString(),
      product: p ? { code: p.product.code, name: p.product.name } : null,
      customer: p ? { id: p.customer.id, name: p.customer.name } : null,
      license: p
        ? {
            id: p.license.id,
            file: licenseFile,
            kid: p.kid,
            expiresAt: p.expiresAt,
            fingerprint: p.fingerprint,
          }
        : null,
      sdkConfig: sdkConfigFile,
      keyring: keyringFile,
      files: [],
    };
    writeFileSync(join(root, "README.md"), readme(manifest, config, input.signer.kid));

    const files = walk(root).sort();
    const total = files.reduce((sum, f) => sum + statSync(f).size, 0);
    let done = 0;
    for (const file of files) {
      const path = toPosix(relative(root, file));
      const { size, sha256 } = await hashFile(file, (n) => {
        done += n;
        input.onProgress?.(done, total, path);
      });
      manifest.files.push({ path, size, sha256 });
    }
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + "\n");
    writeFileSync(join(root, MANIFEST), manifestBytes);
    const signature = signWithContext(input.signer.privateKey, SIGNING_CONTEXT, manifestBytes);
    writeFileSync(
      join(root, SIGNATURE),
      JSON.stringify(
        {
          alg: "Ed25519",
          kid: input.signer.kid,
          context: SIGNING_CONTEXT,
          sig: signature.toString("base64"),
        },
        null,
        2,
      ) + "\n",
    );

    const out = resolve(input.out);
    mkdirSync(resolve(out, ".."), { recursive: true });
    const entries = [MANIFEST, SIGNATURE, ...manifest.files.map((f) => f.path)].map((f) =>
      posix.join(input.name, f),
    );
    await tar.create(
      { gzip: true, file: out, cwd: stage, portable: true, noDirRecurse: true, mtime: input.now },
      entries,
    );
    return manifest;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

export interface PackageCheck {
  check: string;
  ok: boolean;
  detail: string;
}

export interface PackageReport {
  ok: boolean;
  name: string | null;
  signedBy: string | null;
  checks: PackageCheck[];
  manifest: Manifest | null;
}

/**
 * Verifies a package end to end against the vendor keys given (`trusted`): only regular files
 * under one top folder, a manifest signed by a trusted key, the same files as the manifest with
 * the same sizes and digests, the license file verifying with the packaged keyring at `now`, and
 * an SDK configuration whose paths exist.
 */
export async function verifyPackage(
  path: string,
  trusted: PublicKeyEntry[],
  options: { now?: Date; fingerprint?: string } = {},
): Promise<PackageReport> {
  const checks: PackageCheck[] = [];
  const add = (check: string, ok: boolean, detail: string) => checks.push({ check, ok, detail });
  const found = new Map<string, { size: number; sha256: string }>();
  const small = new Map<string, Buffer>();
  const problems: string[] = [];
  const archive: { top: string | null } = { top: null };

  try {
    await tar.list({
      file: resolve(path),
      strict: true,
      onReadEntry: (entry) => {
        const entryPath = entry.path.replace(/\/$/, "");
        const parts = entryPath.split("/");
        if (entry.type === "Directory") {
          entry.resume();
          return;
        }
        if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "ContiguousFile") {
          problems.push(`${entryPath} is a ${entry.type}, not a file`);
          entry.resume();
          return;
        }
        if (entryPath.startsWith("/") || parts.includes("..") || parts.length < 2) {
          problems.push(`${entryPath}: a path outside the package folder`);
          entry.resume();
          return;
        }
        archive.top ??= parts[0] ?? null;
        if (parts[0] !== archive.top) problems.push(`${entryPath}: a second top folder`);
        const inner = parts.slice(1).join("/");
        if (found.has(inner)) problems.push(`${inner} appears twice`);
        const hash = createHash("sha256");
        let size = 0;
        const chunks: Buffer[] = [];
        entry.on("data", (chunk: Buffer) => {
          hash.update(chunk);
          size += chunk.length;
          if (size <= SMALL_FILE) chunks.push(chunk);
        });
        entry.on("end", () => {
          found.set(inner, { size, sha256: hash.digest("hex") });
          if (size <= SMALL_FILE) small.set(inner, Buffer.concat(chunks));
        });
      },
    });
  } catch (error) {
    add("archive", false, `not a readable tar.gz: ${(error as Error).message}`);
    return { ok: false, name: null, signedBy: null, checks, manifest: null };
  }
  add(
    "archive",
    problems.length === 0,
    problems.length ? problems.join("; ") : `${found.size} files under ${archive.top ?? "?"}/`,
  );

  const manifestBytes = small.get(MANIFEST);
  const signatureBytes = small.get(SIGNATURE);
  if (!manifestBytes || !signatureBytes) {
    add("manifest", false, `${MANIFEST} or ${SIGNATURE} is missing`);
    return { ok: false, name: archive.top, signedBy: null, checks, manifest: null };
  }

  // 1. the signature, before anything the manifest says is believed
  let signedBy: string | null = null;
  try {
    const sig = JSON.parse(signatureBytes.toString("utf8")) as {
      alg?: unknown;
      kid?: unknown;
      sig?: unknown;
    };
    const key = trusted.find((k) => k.kid === sig.kid);
    if (sig.alg !== "Ed25519" || typeof sig.sig !== "string")
      add("signature", false, `${SIGNATURE} is malformed`);
    else if (!key)
      add("signature", false, `signed by ${String(sig.kid)}, which is not among the trusted keys`);
    else if (
      !verifyWithContext(key.publicKeyPem, SIGNING_CONTEXT, manifestBytes, Buffer.from(sig.sig, "base64"))
    )
      add(
        "signature",
        false,
        `the manifest's signature does not verify with ${key.kid}: the manifest was changed`,
      );
    else {
      signedBy = key.kid;
      add("signature", true, `manifest signed by ${key.kid}`);
    }
  } catch {
    add("signature", false, `${SIGNATURE} is not JSON`);
  }

  let manifest: Manifest;
  try {
    const parsed = JSON.parse(manifestBytes.toString("utf8")) as Partial<Record<keyof Manifest, unknown>>;
    if (parsed.format !== PACKAGE_FORMAT || parsed.version !== 1 || !Array.isArray(parsed.files))
      throw new Error("unknown format");
    manifest = parsed as Manifest;
  } catch (error) {
    add("manifest", false, `${MANIFEST} is not a package manifest: ${(error as Error).message}`);
    return { ok: false, name: archive.top, signedBy, checks, manifest: null };
  }
  if (manifest.name !== archive.top)
    add(
      "manifest",
      false,
      `the manifest names ${manifest.name}, the archive's folder is ${archive.top ?? "?"}`,
    );

  // 2. the files: the same set, the same bytes
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  const missing = [...listed.keys()].filter((p) => !found.has(p));
  const extra = [...found.keys()].filter((p) => p !== MANIFEST && p !== SIGNATURE && !listed.has(p));
  const changed = [...listed.values()].filter((f) => {
    const actual = found.get(f.path);
    return actual && (actual.size !== f.size || actual.sha256 !== f.sha256);
  });
  add(
    "files",
    missing.length + extra.length + changed.length === 0,
    [
      missing.length ? `missing: ${missing.join(", ")}` : "",
      extra.length ? `not in the manifest: ${extra.join(", ")}` : "",
      changed.length ? `changed: ${changed.map((f) => f.path).join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("; ") || `${listed.size} files match the manifest`,
  );

  // 3. the license file with the packaged keyring, and the SDK configuration's paths
  const configBytes = small.get(manifest.sdkConfig);
  let config: SdkConfig | null;
  try {
    config = configBytes ? (JSON.parse(configBytes.toString("utf8")) as SdkConfig) : null;
  } catch {
    config = null;
  }
  if (!config) add("sdk config", false, `${manifest.sdkConfig} is missing or not JSON`);
  else {
    const absent = [config.licenseFile, config.publicKeys].filter((p) => !found.has(p));
    add(
      "sdk config",
      absent.length === 0,
      absent.length ? `points at missing ${absent.join(", ")}` : `${manifest.sdkConfig} ok`,
    );
  }
  const licPath = config?.licenseFile ?? manifest.license?.file;
  const licBytes = licPath ? small.get(licPath) : undefined;
  const keyringBytes = small.get(config?.publicKeys ?? manifest.keyring);
  if (!licBytes || !keyringBytes) add("license file", false, "the license file or the keyring is missing");
  else {
    let keys: PublicKeyEntry[];
    try {
      keys = JSON.parse(keyringBytes.toString("utf8")) as PublicKeyEntry[];
    } catch {
      keys = [];
    }
    const result = await verifyLicenseFile(licBytes.toString("utf8"), keys, {
      now: options.now ?? new Date(),
      ...(options.fingerprint !== undefined ? { fingerprint: options.fingerprint } : {}),
      ...(config?.product ? { productCode: config.product } : {}),
    });
    if (result.valid)
      add(
        "license file",
        true,
        `${licPath ?? ""} valid until ${result.payload.expiresAt}, key ${result.kid}`,
      );
    else if (result.reason === "FINGERPRINT_REQUIRED")
      add(
        "license file",
        true,
        `${licPath ?? ""} is signed and bound to a machine (give --fingerprint to check the binding)`,
      );
    else add("license file", false, `${licPath ?? ""}: ${result.reason}`);
  }

  return { ok: checks.every((c) => c.ok), name: archive.top, signedBy, checks, manifest };
}
