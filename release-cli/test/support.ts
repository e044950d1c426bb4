// Running the CLI in-process with a recorded terminal, and a license file signed by a test key.
import { createHash, generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLicenseFile } from "@license-server/sdk/offline";
import { runCli } from "../src/cli.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view of the printed JSON
  json: <T = Record<string, unknown>>() => T;
}

export function tempDir(prefix = "license-release-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function cli(
  cwd: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { LICENSE_RELEASE_PASSPHRASE: "correct horse battery staple", ...env },
    interactive: false,
    cwd,
  });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as above
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}

/** A server-like signing key and a .lic it signed (valid for 30 days from `now`). */
export async function signedLicenseFile(
  options: { now?: Date; fingerprint?: string | null; encrypt?: boolean } = {},
) {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const der = publicKey.export({ type: "spki", format: "der" });
  const kid = createHash("sha256")
    .update(der.subarray(der.length - 32))
    .digest("hex")
    .slice(0, 16);
  const now = options.now ?? new Date();
  const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, ".000Z");
  const text = await createLicenseFile({
    kid,
    encrypt: options.encrypt ?? false,
    sign: (message) => sign(null, message, privateKey),
    payload: {
      id: randomUUID(),
      issuedAt: iso(now),
      notBefore: iso(now),
      expiresAt: iso(new Date(now.getTime() + 30 * 86_400_000)),
      fingerprint: options.fingerprint ?? null,
      license: {
        id: randomUUID(),
        keyHash: createHash("sha256").update("AAAAA-BBBBB-CCCCC-DDDDD-EEEEE").digest("hex"),
        type: "floating",
        seats: 5,
        startsAt: iso(now),
        expiresAt: null,
      },
      customer: { id: randomUUID(), name: "Initech GmbH" },
      product: { id: randomUUID(), code: "acme-cad", name: "Acme CAD" },
      entitlements: [
        {
          code: "export-pdf",
          name: "Export PDF",
          kind: "boolean",
          unit: null,
          quota: null,
          quotaPeriod: "total",
        },
      ],
    },
  });
  return {
    text,
    keyring: [{ kid, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() }],
  };
}
