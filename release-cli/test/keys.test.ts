// Vendor keys: generation into passphrase-protected files, listing, rotation (the old key stays
// published), retirement, and the public keyring exported the way the SDK embeds it.
import { createPublicKey, verify } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Keyring, signWithContext } from "../src/lib/keyring.ts";
import { cli, tempDir } from "./support.ts";

interface KeyRow {
  kid: string;
  status: string;
  publicKeyPem: string;
}

describe("license-release keys", () => {
  const dir = tempDir();

  it("generates a key whose private half only opens with the passphrase", async () => {
    const made = await cli(dir, ["keys", "generate", "--json"]);
    expect(made.code, made.stderr).toBe(0);
    const key = made.json<KeyRow & { dir: string }>();
    expect(key.status).toBe("active");
    expect(key.kid).toMatch(/^[0-9a-f]{16}$/);
    expect(key.dir).toBe(join(dir, "release-keys"));

    const keyFile = join(dir, "release-keys", `${key.kid}.key`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const stored = readFileSync(keyFile, "utf8");
    expect(stored).not.toMatch(/PRIVATE KEY/);
    expect(JSON.parse(stored)).toMatchObject({
      kdf: { name: "scrypt" },
      cipher: "aes-256-gcm",
      kid: key.kid,
    });

    const ring = new Keyring(join(dir, "release-keys"));
    await expect(ring.unlock(key.kid, "not the passphrase")).rejects.toThrow(/wrong passphrase/);
    const privateKey = await ring.unlock(key.kid, "correct horse battery staple");
    const signature = signWithContext(privateKey, "test", Buffer.from("hello"));
    expect(verify(null, Buffer.from("test\nhello"), createPublicKey(key.publicKeyPem), signature)).toBe(true);

    // a second generate is refused; a short passphrase too
    expect((await cli(dir, ["keys", "generate"])).code).toBe(1);
    const short = await cli(tempDir(), ["keys", "generate"], { LICENSE_RELEASE_PASSPHRASE: "short" });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 12 characters/);
    // without a passphrase source and no terminal: a clear message
    const none = await cli(tempDir(), ["keys", "generate"], { LICENSE_RELEASE_PASSPHRASE: undefined });
    expect(none.stderr).toMatch(/LICENSE_RELEASE_PASSPHRASE/);
  });

  it("reads the passphrase from a file", async () => {
    const other = tempDir();
    writeFileSync(join(other, "pass.txt"), "a passphrase from a file\n");
    const made = await cli(
      other,
      ["keys", "generate", "--passphrase-file", "pass.txt", "--keys-dir", "k", "--json"],
      {
        LICENSE_RELEASE_PASSPHRASE: undefined,
      },
    );
    expect(made.code, made.stderr).toBe(0);
    await expect(
      new Keyring(join(other, "k")).unlock(made.json<KeyRow>().kid, "a passphrase from a file"),
    ).resolves.toBeTruthy();
  });

  it("rotates: a new active key, the previous one published, both exported; retire takes one out", async () => {
    const before = (await cli(dir, ["keys", "list", "--json"])).json<KeyRow[]>();
    const rotated = await cli(dir, ["keys", "rotate", "--json"]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const fresh = rotated.json<KeyRow & { previous: string }>();
    expect(fresh.previous).toBe(before[0]?.kid);

    const list = (await cli(dir, ["keys", "list", "--json"])).json<KeyRow[]>();
    expect(list.map((k) => [k.kid, k.status])).toEqual([
      [before[0]?.kid, "published"],
      [fresh.kid, "active"],
    ]);
    const text = (await cli(dir, ["keys", "list"])).stdout;
    expect(text).toContain(`${fresh.kid}  active`);

    const exported = await cli(dir, ["keys", "export-public"]);
    expect(exported.code, exported.stderr).toBe(0);
    const keys = JSON.parse(exported.stdout) as { kid: string; publicKeyPem: string }[];
    expect(keys.map((k) => k.kid).sort()).toEqual(list.map((k) => k.kid).sort());
    expect(Object.keys(keys[0] ?? {})).toEqual(["kid", "publicKeyPem"]);

    // the active key cannot be retired; the old one can, and leaves the export
    expect((await cli(dir, ["keys", "retire", fresh.kid])).code).toBe(1);
    expect((await cli(dir, ["keys", "retire", before[0]?.kid ?? ""])).code).toBe(0);
    const after = JSON.parse((await cli(dir, ["keys", "export-public"])).stdout) as { kid: string }[];
    expect(after.map((k) => k.kid)).toEqual([fresh.kid]);
  });

  it("exports a TypeScript module the SDK can embed", async () => {
    const out = await cli(dir, ["keys", "export-public", "--format", "ts", "--out", "src/keys.ts"]);
    expect(out.code, out.stderr).toBe(0);
    const text = readFileSync(join(dir, "src", "keys.ts"), "utf8");
    expect(text).toMatch(/import type \{ PublicKeyEntry \} from "@license-server\/sdk\/offline";/);
    expect(text).toMatch(/export const publicKeys: readonly PublicKeyEntry\[\] = \[/);
    const js = await cli(dir, ["keys", "export-public", "--format", "js", "--out", "keys.mjs"]);
    expect(js.code).toBe(0);
    const module = (await import(join(dir, "keys.mjs"))) as { default: { kid: string }[] };
    expect(module.default).toHaveLength(1);
    expect((await cli(dir, ["keys", "export-public", "--format", "yaml"])).code).toBe(2);
  });
});
