import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/server/config.ts";

const dataDir = () => mkdtempSync(join(tmpdir(), "ls-config-"));

describe("configuration", () => {
  it("has working defaults and generates secrets into the data directory once", () => {
    const dir = dataDir();
    const config = loadConfig({ DATA_DIR: dir }, { generateSecrets: true });
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 3000,
      grpcHost: "127.0.0.1",
      grpcPort: 50051,
      logLevel: "info",
      dataDir: dir,
      database: { provider: "sqlite", url: join(dir, "license.db") },
    });
    expect(config.encryptionKey).toHaveLength(32);
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
    const secrets = join(dir, "secrets.json");
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    const again = loadConfig({ DATA_DIR: dir });
    expect(again.jwtSecret).toBe(config.jwtSecret);
    expect(again.encryptionKey.equals(config.encryptionKey)).toBe(true);
  });

  it("refuses to start without secrets unless asked to generate them", () => {
    const dir = dataDir();
    expect(() => loadConfig({ DATA_DIR: dir })).toThrow(/JWT_SECRET and ENCRYPTION_KEY/);
    expect(existsSync(join(dir, "secrets.json"))).toBe(false);
  });

  it("selects PostgreSQL from DATABASE_URL", () => {
    const config = loadConfig(
      { DATA_DIR: dataDir(), DATABASE_URL: "postgres://app:pw@db:5432/licenses" },
      { generateSecrets: true },
    );
    expect(config.database).toEqual({ provider: "postgresql", url: "postgres://app:pw@db:5432/licenses" });
  });

  it("names the bad setting, without echoing secrets", () => {
    const dir = dataDir();
    const attempt = (env: Record<string, string>) => () =>
      loadConfig({ DATA_DIR: dir, ...env }, { generateSecrets: true });
    expect(attempt({ PORT: "abc" })).toThrow(ConfigError);
    expect(attempt({ PORT: "abc" })).toThrow(/PORT: .*\(got "abc"\)/);
    expect(attempt({ GRPC_PORT: "70000" })).toThrow(/GRPC_PORT/);
    expect(attempt({ LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
    expect(attempt({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
    let message = "";
    try {
      attempt({ JWT_SECRET: "short-secret-value" })();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/JWT_SECRET: must be at least 32 characters/);
    expect(message).not.toContain("short-secret-value");
  });

  it("reads LDAP settings, and names a bad one", () => {
    const dir = dataDir();
    const config = loadConfig(
      {
        DATA_DIR: dir,
        LDAP_URL: "ldap://127.0.0.1:389",
        LDAP_BIND_DN_TEMPLATE: "uid={username},dc=example,dc=com",
      },
      { generateSecrets: true },
    );
    expect(config.ldap?.url).toBe("ldap://127.0.0.1:389");
    expect(loadConfig({ DATA_DIR: dir }).ldap).toBeNull();
    expect(() =>
      loadConfig({
        DATA_DIR: dir,
        LDAP_URL: "ldap://x",
        LDAP_BIND_DN_TEMPLATE: "uid={username}",
        LDAP_GROUP_MAPPINGS: "[oops",
      }),
    ).toThrow(/LDAP_GROUP_MAPPINGS/);
  });

  it("reads a JSON config file; the environment wins", () => {
    const dir = dataDir();
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ PORT: 4000, GRPC_PORT: 4001, LOG_LEVEL: "debug" }));
    const config = loadConfig(
      { DATA_DIR: dir, LICENSE_SERVER_CONFIG: file, GRPC_PORT: "5001" },
      { generateSecrets: true },
    );
    expect(config).toMatchObject({ port: 4000, grpcPort: 5001, logLevel: "debug" });
    writeFileSync(file, "{ not json");
    expect(() => loadConfig({ DATA_DIR: dir, LICENSE_SERVER_CONFIG: file })).toThrow(
      /Config file .* cannot be read/,
    );
    expect(readFileSync(join(dir, "secrets.json"), "utf8")).toContain("ENCRYPTION_KEY");
  });
});
