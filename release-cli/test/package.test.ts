// Customer packages: build + verify, and rejection when any file, the manifest or its signature
// changes, when a file is added or removed, or when the signer is not trusted.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tar from "tar";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, signedLicenseFile, tempDir } from "./support.ts";

interface Report {
  ok: boolean;
  name: string;
  signedBy: string | null;
  checks: { check: string; ok: boolean; detail: string }[];
}

const dir = tempDir();
const NAME = "acme-cad-initech";
let vendorKid = "";

/** Unpacks the package, lets `change` edit the folder, packs it again as `<label>.tar.gz`. */
async function tampered(label: string, change: (root: string) => void): Promise<string> {
  const work = join(dir, `t-${label}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work);
  await tar.extract({ file: join(dir, "pkg.tar.gz"), cwd: work });
  change(join(work, NAME));
  const out = join(dir, `${label}.tar.gz`);
  await tar.create({ gzip: true, file: out, cwd: work, portable: true }, [NAME]);
  return out;
}

async function verifyPkg(file: string, extra: string[] = []) {
  const run = await cli(dir, [
    "package",
    "verify",
    file,
    "--trusted-keys",
    "vendor-keys.json",
    "--json",
    ...extra,
  ]);
  return { run, report: run.json<Report>() };
}

function failed(report: Report): string[] {
  return report.checks.filter((c) => !c.ok).map((c) => c.check);
}

beforeAll(async () => {
  const made = await cli(dir, ["keys", "generate", "--json"]);
  vendorKid = made.json<{ kid: string }>().kid;
  expect((await cli(dir, ["keys", "export-public", "--out", "vendor-keys.json"])).code).toBe(0);
  const { text, keyring } = await signedLicenseFile();
  writeFileSync(join(dir, "initech.lic"), text);
  writeFileSync(join(dir, "server-keys.json"), JSON.stringify(keyring));
  writeFileSync(join(dir, "app.bin"), randomBytes(300_000));
  mkdirSync(join(dir, "plugins", "pdf"), { recursive: true });
  writeFileSync(join(dir, "plugins", "pdf", "export.js"), "export default 1;\n");
  writeFileSync(join(dir, "plugins", "readme.txt"), "plugins\n");
});

describe("license-release package", () => {
  it("builds a signed package with artifacts, the .lic, the keyring, an SDK config and a README", async () => {
    const built = await cli(dir, [
      "package",
      "--lic",
      "initech.lic",
      "--keyring",
      "server-keys.json",
      "--artifact",
      "app.bin",
      "plugins",
      "--name",
      NAME,
      "--out",
      "pkg.tar.gz",
      "--grpc",
      "licenses.example.com:50051",
      "--rest",
      "https://licenses.example.com",
      "--license-key",
      "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE",
      "--json",
    ]);
    expect(built.code, built.stderr).toBe(0);
    const { manifest, signedBy } = built.json<{
      signedBy: string;
      manifest: { files: { path: string }[]; product: unknown };
    }>();
    expect(signedBy).toBe(vendorKid);
    expect(manifest.files.map((f) => f.path)).toEqual([
      "README.md",
      "artifacts/app.bin",
      "artifacts/plugins/pdf/export.js",
      "artifacts/plugins/readme.txt",
      "config/license-client.json",
      "keys/public-keys.json",
      "license/initech.lic",
    ]);
    expect(manifest.product).toEqual({ code: "acme-cad", name: "Acme CAD" });
    expect(built.stderr).toMatch(/\[1\/4\]/);

    const out = join(dir, "unpacked");
    mkdirSync(out);
    await tar.extract({ file: join(dir, "pkg.tar.gz"), cwd: out });
    const config = JSON.parse(
      readFileSync(join(out, NAME, "config", "license-client.json"), "utf8"),
    ) as Record<string, unknown>;
    expect(config).toEqual({
      product: "acme-cad",
      server: { grpc: "licenses.example.com:50051", rest: "https://licenses.example.com" },
      licenseKey: "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE",
      licenseFile: "license/initech.lic",
      publicKeys: "keys/public-keys.json",
    });
    expect(readFileSync(join(out, NAME, "README.md"), "utf8")).toMatch(/package verify/);
    expect(readFileSync(join(out, NAME, "license", "initech.lic"), "utf8")).toBe(
      readFileSync(join(dir, "initech.lic"), "utf8"),
    );
  });

  it("verifies end to end", async () => {
    const { run, report } = await verifyPkg("pkg.tar.gz");
    expect(run.code, run.stdout).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.signedBy).toBe(vendorKid);
    expect(report.checks.map((c) => c.check)).toEqual([
      "archive",
      "signature",
      "files",
      "sdk config",
      "license file",
    ]);
    // the text form, and the local keyring as the trusted one
    const text = await cli(dir, ["package", "verify", "pkg.tar.gz"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^package OK/);
  });

  it("rejects a changed artifact, license file, README or SDK config", async () => {
    const cases: [string, (root: string) => void][] = [
      [
        "artifact",
        (root) => {
          const path = join(root, "artifacts", "app.bin");
          const bytes = readFileSync(path);
          bytes[1000] = (bytes[1000] ?? 0) ^ 1;
          writeFileSync(path, bytes);
        },
      ],
      [
        "nested",
        (root) => {
          writeFileSync(join(root, "artifacts", "plugins", "pdf", "export.js"), "export default 2;\n");
        },
      ],
      [
        "lic",
        (root) => {
          const path = join(root, "license", "initech.lic");
          writeFileSync(
            path,
            readFileSync(path, "utf8").replace(/\n[A-Za-z]/, (m) => `\n${m[1] === "A" ? "B" : "A"}`),
          );
        },
      ],
      [
        "readme",
        (root) => {
          writeFileSync(join(root, "README.md"), "# trust me\n");
        },
      ],
      [
        "config",
        (root) => {
          writeFileSync(join(root, "config", "license-client.json"), "{}\n");
        },
      ],
      [
        "keyring",
        (root) => {
          writeFileSync(join(root, "keys", "public-keys.json"), "[]\n");
        },
      ],
    ];
    for (const [label, change] of cases) {
      const { run, report } = await verifyPkg(await tampered(label, change));
      expect(run.code, label).toBe(1);
      expect(failed(report), label).toContain("files");
      expect(report.checks.find((c) => c.check === "signature")?.ok, label).toBe(true);
    }
  });

  it("rejects an added or a removed file", async () => {
    const added = await verifyPkg(
      await tampered("added", (root) => {
        writeFileSync(join(root, "artifacts", "extra.sh"), "rm -rf /\n");
      }),
    );
    expect(added.run.code).toBe(1);
    expect(added.report.checks.find((c) => c.check === "files")?.detail).toMatch(
      /not in the manifest: artifacts\/extra\.sh/,
    );
    const removed = await verifyPkg(
      await tampered("removed", (root) => {
        unlinkSync(join(root, "artifacts", "plugins", "readme.txt"));
      }),
    );
    expect(removed.run.code).toBe(1);
    expect(removed.report.checks.find((c) => c.check === "files")?.detail).toMatch(
      /missing: artifacts\/plugins\/readme\.txt/,
    );
    const linked = await verifyPkg(
      await tampered("symlink", (root) => {
        symlinkSync("/etc/passwd", join(root, "artifacts", "passwd"));
      }),
    );
    expect(linked.run.code).toBe(1);
    expect(failed(linked.report)).toContain("archive");
  });

  it("rejects a changed manifest, even one updated to match a changed file", async () => {
    const edited = await verifyPkg(
      await tampered("manifest", (root) => {
        const path = join(root, "MANIFEST.json");
        writeFileSync(
          path,
          readFileSync(path, "utf8").replace('"name": "acme-cad-initech"', '"name": "acme-cad-initech" '),
        );
      }),
    );
    expect(edited.run.code).toBe(1);
    expect(failed(edited.report)).toContain("signature");

    const consistent = await verifyPkg(
      await tampered("consistent", (root) => {
        writeFileSync(join(root, "artifacts", "app.bin"), "evil");
        const path = join(root, "MANIFEST.json");
        const manifest = JSON.parse(readFileSync(path, "utf8")) as {
          files: { path: string; size: number; sha256: string }[];
        };
        const entry = manifest.files.find((f) => f.path === "artifacts/app.bin");
        if (entry) {
          entry.size = 4;
          entry.sha256 = "a1b6a1d4c0cb3e4a1a4f2f2c1ea9b2e24f6c36b9a8d1f5aa64c2b3eb1d9f5e1d";
        }
        writeFileSync(path, JSON.stringify(manifest, null, 2) + "\n");
      }),
    );
    expect(consistent.run.code).toBe(1);
    expect(failed(consistent.report)).toContain("signature");

    const unsigned = await verifyPkg(
      await tampered("nosig", (root) => {
        unlinkSync(join(root, "MANIFEST.sig"));
      }),
    );
    expect(unsigned.run.code).toBe(1);
  });

  it("trusts only the keys it is given", async () => {
    const stranger = tempDir();
    await cli(stranger, ["keys", "generate"]);
    await cli(stranger, ["keys", "export-public", "--out", "stranger.json"]);
    const run = await cli(dir, [
      "package",
      "verify",
      "pkg.tar.gz",
      "--trusted-keys",
      join(stranger, "stranger.json"),
      "--json",
    ]);
    expect(run.code).toBe(1);
    expect(run.json<Report>().checks.find((c) => c.check === "signature")?.detail).toMatch(
      /not among the trusted keys/,
    );
    // a package re-signed by someone else's key is refused with the vendor's keyring
    const resigned = await cli(stranger, [
      "package",
      "--lic",
      join(dir, "initech.lic"),
      "--keyring",
      join(dir, "server-keys.json"),
      "--artifact",
      join(dir, "app.bin"),
      "--name",
      NAME,
      "--out",
      join(dir, "resigned.tar.gz"),
    ]);
    expect(resigned.code, resigned.stderr).toBe(0);
    expect((await verifyPkg("resigned.tar.gz")).run.code).toBe(1);
  });

  it("checks the license file's validity at a given time, and refuses what is not a package", async () => {
    const late = await verifyPkg("pkg.tar.gz", [
      "--at",
      new Date(Date.now() + 60 * 86_400_000).toISOString(),
    ]);
    expect(late.run.code).toBe(1);
    expect(late.report.checks.find((c) => c.check === "license file")?.detail).toMatch(/EXPIRED/);
    writeFileSync(join(dir, "garbage.tar.gz"), randomBytes(500));
    const garbage = await verifyPkg("garbage.tar.gz");
    expect(garbage.run.code).toBe(1);
    expect(failed(garbage.report)).toEqual(["archive"]);
  });

  it("refuses to package a license file the keyring does not verify, and usage errors exit 2", async () => {
    const { keyring } = await signedLicenseFile();
    writeFileSync(join(dir, "other-keys.json"), JSON.stringify(keyring));
    const run = await cli(dir, [
      "package",
      "--lic",
      "initech.lic",
      "--keyring",
      "other-keys.json",
      "--artifact",
      "app.bin",
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/UNKNOWN_KEY/);
    expect((await cli(dir, ["package", "--artifact", "app.bin"])).code).toBe(2);
    expect((await cli(dir, ["package", "--lic", "initech.lic"])).code).toBe(2);
  });
});
