// Builds a customer package: a tar.gz holding the software's artifacts, the customer's `.lic`,
// the public keyring that verifies it, an SDK configuration, a README, and MANIFEST.json (every
// other file's size and SHA-256) signed with the vendor's Ed25519 key in MANIFEST.sig.
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
import type { LicenseFileResult } from "@license-server/sdk/offline";
import * as tar from "tar";
import { signWithContext, type PublicKeyEntry } from "../keyring.ts";
import { CliError } from "../run-program.ts";
import {
  MANIFEST,
  PACKAGE_FORMAT,
  SIGNATURE,
  SIGNING_CONTEXT,
  type Manifest,
  type SdkConfig,
} from "./manifest.ts";
import { packageReadme } from "./readme.ts";

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
    writeFileSync(join(root, "README.md"), packageReadme(manifest, config, input.signer.kid));

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
