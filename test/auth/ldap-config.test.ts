// LDAP settings without a directory: loadLdapConfig reads LDAP_* variables into a checked
// configuration (defaults, every setting, errors that name the variable and never a secret), and
// the escaping of what people type into filters and DNs. Sign-in against slapd:
// ldap-authenticate.test.ts.
import { describe, expect, it } from "vitest";
import { escapeDnValue, escapeFilterValue } from "../../src/server/auth/ldap/escaping.ts";
import { LdapConfigError, loadLdapConfig } from "../../src/server/auth/ldap/load-config.ts";

describe("loadLdapConfig", () => {
  const template = {
    LDAP_URL: "ldap://ldap.example.com:389",
    LDAP_BIND_DN_TEMPLATE: "uid={username},ou=people,dc=example,dc=com",
  };
  const messageOf = (source: Record<string, string | undefined>): string => {
    try {
      loadLdapConfig(source);
    } catch (error) {
      expect(error).toBeInstanceOf(LdapConfigError);
      return (error as Error).message;
    }
    throw new Error("loadLdapConfig accepted the settings");
  };

  it("is off (null) without LDAP_URL", () => {
    expect(loadLdapConfig({})).toBeNull();
    expect(loadLdapConfig({ LDAP_URL: "  ", LDAP_BIND_DN_TEMPLATE: "x" })).toBeNull();
  });

  it("reads every setting, with defaults", () => {
    expect(loadLdapConfig(template)).toEqual({
      url: "ldap://ldap.example.com:389",
      startTls: false,
      tlsRejectUnauthorized: true,
      timeoutMs: 5000,
      bindDnTemplate: "uid={username},ou=people,dc=example,dc=com",
      userFilter: "(|(uid={username})(mail={username}))",
      emailAttribute: "mail",
      nameAttribute: "cn",
      groupFilter: "(member={dn})",
      groupMappings: [],
      defaultRole: null,
    });
    const config = loadLdapConfig({
      LDAP_URL: "ldap://ldap.example.com",
      LDAP_START_TLS: "true",
      LDAP_TLS_REJECT_UNAUTHORIZED: "false",
      LDAP_TIMEOUT_MS: "2500",
      LDAP_SERVICE_DN: "cn=svc,dc=example,dc=com",
      LDAP_SERVICE_PASSWORD: " pass with spaces ",
      LDAP_USER_SEARCH_BASE: "ou=people,dc=example,dc=com",
      LDAP_USER_FILTER: "(sAMAccountName={username})",
      LDAP_EMAIL_ATTRIBUTE: "userPrincipalName",
      LDAP_NAME_ATTRIBUTE: "displayName",
      LDAP_GROUP_SEARCH_BASE: "ou=groups,dc=example,dc=com",
      LDAP_GROUP_FILTER: "(memberUid={username})",
      LDAP_GROUP_MAPPINGS:
        '[{"ldapGroup":"ops","role":"super_admin","groups":[]},{"ldapGroup":"x","role":"viewer"}]',
      LDAP_DEFAULT_ROLE: "viewer",
      LDAP_BIND_DN_TEMPLATE: "",
    });
    expect(config).toMatchObject({
      startTls: true,
      tlsRejectUnauthorized: false,
      timeoutMs: 2500,
      servicePassword: " pass with spaces ",
      userFilter: "(sAMAccountName={username})",
      emailAttribute: "userPrincipalName",
      groupFilter: "(memberUid={username})",
      groupMappings: [
        { ldapGroup: "ops", role: "super_admin", groups: [] },
        { ldapGroup: "x", role: "viewer", groups: [] },
      ],
      defaultRole: "viewer",
    });
    expect(config?.bindDnTemplate).toBeUndefined();
  });

  it("names LDAP_GROUP_MAPPINGS when it is not JSON or not valid mappings", () => {
    expect(messageOf({ ...template, LDAP_GROUP_MAPPINGS: "[{ldapGroup: admins}]" })).toMatch(
      /^LDAP_GROUP_MAPPINGS is not valid JSON/,
    );
    expect(messageOf({ ...template, LDAP_GROUP_MAPPINGS: '[{"ldapGroup":"a","role":"root"}]' })).toContain(
      "LDAP_GROUP_MAPPINGS[0].role",
    );
    expect(messageOf({ ...template, LDAP_GROUP_MAPPINGS: '{"ldapGroup":"a"}' })).toContain(
      "LDAP_GROUP_MAPPINGS",
    );
  });

  it("needs exactly one way to find people", () => {
    const neither = messageOf({ LDAP_URL: "ldap://ldap.example.com" });
    expect(neither).toContain("LDAP_BIND_DN_TEMPLATE");
    expect(neither).toContain("serviceDn");
    expect(
      messageOf({
        ...template,
        LDAP_SERVICE_DN: "cn=svc",
        LDAP_SERVICE_PASSWORD: "p",
        LDAP_USER_SEARCH_BASE: "o=x",
      }),
    ).toContain("not both");
    const partial = messageOf({
      LDAP_URL: "ldap://h",
      LDAP_SERVICE_DN: "cn=svc",
      LDAP_USER_SEARCH_BASE: "o=x",
    });
    expect(partial).toContain("LDAP_SERVICE_PASSWORD is required");
  });

  it("names each bad setting and never echoes the service password", () => {
    const secret = "Hunter2-very-secret";
    const withSecret = {
      LDAP_URL: "ldap://h",
      LDAP_SERVICE_DN: "cn=svc",
      LDAP_SERVICE_PASSWORD: secret,
      LDAP_USER_SEARCH_BASE: "o=x",
    };
    const cases: [Record<string, string>, string][] = [
      [{ LDAP_URL: "http://ldap.example.com" }, "LDAP_URL"],
      [{ LDAP_URL: "ldap://user:pw@ldap.example.com" }, "LDAP_URL"],
      [{ LDAP_START_TLS: "maybe" }, "LDAP_START_TLS"],
      [{ LDAP_URL: "ldaps://h", LDAP_START_TLS: "true" }, "LDAP_START_TLS"],
      [{ LDAP_TLS_REJECT_UNAUTHORIZED: "nah" }, "LDAP_TLS_REJECT_UNAUTHORIZED"],
      [{ LDAP_TIMEOUT_MS: "5s" }, "LDAP_TIMEOUT_MS"],
      [{ LDAP_TIMEOUT_MS: "5" }, "LDAP_TIMEOUT_MS"],
      [{ LDAP_CA_FILE: "/nonexistent/ca.pem" }, "LDAP_CA_FILE"],
      [{ LDAP_USER_FILTER: "(uid=alice)" }, "LDAP_USER_FILTER"],
      [{ LDAP_USER_FILTER: "(uid={username}" }, "LDAP_USER_FILTER"],
      [{ LDAP_GROUP_FILTER: "member={dn})(" }, "LDAP_GROUP_FILTER"],
      [{ LDAP_DEFAULT_ROLE: "owner" }, "LDAP_DEFAULT_ROLE"],
    ];
    for (const [change, key] of cases) {
      const message = messageOf({ ...withSecret, ...change });
      expect(message).toContain(key);
      expect(message).not.toContain(secret);
    }
    expect(messageOf({ ...template, LDAP_BIND_DN_TEMPLATE: "uid=alice,dc=x" })).toContain(
      "LDAP_BIND_DN_TEMPLATE",
    );
    expect(loadLdapConfig({ ...template, LDAP_DEFAULT_ROLE: "none" })?.defaultRole).toBeNull();
  });
});

describe("escaping", () => {
  it("escapes filter values (RFC 4515)", () => {
    expect(escapeFilterValue("a*b(c)d\\e\0f")).toBe("a\\2ab\\28c\\29d\\5ce\\00f");
    expect(escapeFilterValue("ünïcode")).toBe("ünïcode");
  });

  it("escapes DN attribute values (RFC 4514)", () => {
    expect(escapeDnValue('a,b+c"d\\e<f>g;h=i')).toBe('a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h\\=i');
    expect(escapeDnValue(" #lead and trail ")).toBe("\\ #lead and trail\\ ");
    expect(escapeDnValue("#x")).toBe("\\#x");
    expect(escapeDnValue("nul\0")).toBe("nul\\00");
    expect(escapeDnValue("o*(x)")).toBe("o*(x)");
  });
});
