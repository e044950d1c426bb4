// The publishable package: `npm run build` writes ES modules and declarations to dist/, the
// tarball holds only what ships, the modules load in plain Node, and a TypeScript consumer
// resolving the package by name gets working, self-contained types.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const sdk = join(import.meta.dirname, "..");
const root = join(sdk, "..");

describe("the SDK package", () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(sdk, "scripts/build.mjs")], { cwd: sdk, stdio: "pipe" });
  });

  it("packs only dist/, the docs, the README and package.json", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: sdk,
      encoding: "utf8",
    });
    const [pack] = JSON.parse(out) as [{ files: { path: string }[]; size: number }];
    const paths = pack.files.map((f) => f.path);
    expect(paths).toContain("dist/index.js");
    expect(paths).toContain("dist/index.d.ts");
    expect(paths).toContain("dist/offline.js");
    expect(paths).toContain("dist/generated/proto/license/v1/license.js");
    expect(paths).toContain("docs/license-file-v1.md");
    expect(paths).toContain("README.md");
    const unexpected = paths.filter(
      (p) => !(p.startsWith("dist/") || p.startsWith("docs/") || p === "README.md" || p === "package.json"),
    );
    expect(unexpected).toEqual([]);
    expect(paths.some((p) => p.endsWith(".ts") && !p.endsWith(".d.ts"))).toBe(false);
  });

  it("loads in plain Node (no TypeScript loader) with the exports the docs name", () => {
    const script = `
      const main = await import(${JSON.stringify(join(sdk, "dist/index.js"))});
      const offline = await import(${JSON.stringify(join(sdk, "dist/offline.js"))});
      console.log(JSON.stringify({ main: Object.keys(main).sort(), offline: Object.keys(offline).sort() }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    const { main, offline } = JSON.parse(out) as { main: string[]; offline: string[] };
    expect(main).toEqual(
      expect.arrayContaining([
        "LicenseClient",
        "createAdminClient",
        "verifyLicenseFile",
        "verifyGraceToken",
        "LICENSE_STATUS_CODES",
      ]),
    );
    expect(offline).toEqual(
      expect.arrayContaining(["verifyLicenseFile", "verifyGraceToken", "LICENSE_STATUS_CODES"]),
    );
    expect(offline).not.toContain("LicenseClient");
  });

  it("gives a TypeScript consumer self-contained types (no server or Prisma types)", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-sdk-consumer-"));
    try {
      symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
      writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
      writeFileSync(
        join(dir, "app.ts"),
        `import { LicenseClient, createAdminClient, type ValidationResult } from "@license-server/sdk";
import { verifyLicenseFile, LICENSE_STATUS_CODES } from "@license-server/sdk/offline";
const client = new LicenseClient({ server: "127.0.0.1:50051", licenseKey: "K", product: "p", publicKeys: [] });
const admin = createAdminClient({ url: "http://127.0.0.1:3000", apiKey: "lsk_x" });
export async function run(): Promise<unknown[]> {
  const result: ValidationResult = await client.validate();
  const page = await admin.licenses.list.query({ status: "active" });
  const key: string | undefined = page.items[0]?.key;
  const expires: string | null | undefined = page.items[0]?.expiresAt;
  // @ts-expect-error: no such procedure
  await admin.licenses.nope.query();
  // @ts-expect-error: not a status
  const bad: "VALID" | "NOPE" extends (typeof LICENSE_STATUS_CODES)[number] ? true : false = true;
  return [result, key, expires, bad, await verifyLicenseFile("", [])];
}
`,
      );
      writeFileSync(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: ["node"],
          },
          files: ["app.ts"],
        }),
      );
      let output = "";
      try {
        execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], {
          encoding: "utf8",
        });
      } catch (error) {
        output = (error as { stdout?: string }).stdout ?? String(error);
      }
      // errors inside third-party declarations (e.g. @trpc/server's optional "ws") are not ours
      const ours = output.split("\n").filter((line) => /(^|\/)(app\.ts|sdk\/dist\/)/.test(line));
      expect(ours).toEqual([]);
      const files = execFileSync(
        process.execPath,
        [join(root, "node_modules/typescript/bin/tsc"), "-p", dir, "--listFilesOnly"],
        { encoding: "utf8" },
      );
      expect(files).toContain("sdk/dist/index.d.ts");
      // none of the server's own files, and nothing of Prisma (grpc-js's build/src/server*.d.ts are its own)
      const serverFiles = files
        .split("\n")
        .filter(
          (file) => /prisma/.test(file) || (/src\/server/.test(file) && !file.includes("/node_modules/")),
        );
      expect(serverFiles).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
