// Verifies a customer package against the vendor keys given, trusting nothing the package says
// until its signature checks: the signature of the manifest, then every file against the manifest
// (nothing missing, nothing extra, no byte changed), then the `.lic` with the packaged keyring.
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { verifyLicenseFile } from "@license-server/sdk/offline";
import * as tar from "tar";
import { verifyWithContext, type PublicKeyEntry } from "../keyring.ts";
import {
  MANIFEST,
  PACKAGE_FORMAT,
  SIGNATURE,
  SIGNING_CONTEXT,
  type Manifest,
  type SdkConfig,
} from "./manifest.ts";

/** Files read into memory during verification (everything else is only hashed). */
const SMALL_FILE = 4 * 1024 * 1024;

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
