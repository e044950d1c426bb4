// ldapAuthenticate against a real OpenLDAP (test/support/slapd.ts, with TLS) in both modes, a bind
// DN template and a service account that searches: roles and groups from the mappings, refusals,
// injection attempts, StartTLS with certificate checks, and directories that cannot answer.
// Settings and escaping without a directory: ldap-config.test.ts. Skipped without slapd.
import net from "node:net";
import { Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ldapAuthenticate } from "../../src/server/auth/ldap/authenticate.ts";
import { ZLdapConfig } from "../../src/server/auth/ldap/config.ts";
import type { LdapConfigInput } from "../../src/server/auth/ldap/config.ts";
import { loadLdapConfig } from "../../src/server/auth/ldap/load-config.ts";
import { LdapUnavailableError } from "../../src/server/auth/ldap/unavailable.ts";
import {
  freePort,
  groupDn,
  personDn,
  SLAPD_GROUPS_DN,
  SLAPD_PEOPLE,
  SLAPD_PEOPLE_DN,
  slapdMissing,
  startSlapd,
  stopSlapd,
} from "../support/slapd.ts";
import type { Slapd } from "../support/slapd.ts";

const { alice, bob, carol, odd, eve, nomail } = SLAPD_PEOPLE;

// every suite here needs the directory; with all of them skipped, so are these hooks
const noSlapd = slapdMissing({ tls: true });
let slapd: Slapd;
beforeAll(async () => {
  slapd = await startSlapd({ tls: true });
});
afterAll(async () => {
  await stopSlapd(slapd);
});

const MAPPINGS: LdapConfigInput["groupMappings"] = [
  // by DN, written differently from the directory's spelling
  {
    ldapGroup: "CN=License-Admins, OU=groups, DC=example, DC=com",
    role: "admin",
    groups: ["Acme", "Globex"],
  },
  // by cn
  { ldapGroup: "LICENSE-EDITORS", role: "editor", groups: ["Initech", "Acme"] },
];

const templateConfig = (extra: Partial<LdapConfigInput> = {}) =>
  ZLdapConfig.parse({
    url: slapd.url,
    bindDnTemplate: `uid={username},${SLAPD_PEOPLE_DN}`,
    groupSearchBase: SLAPD_GROUPS_DN,
    groupMappings: MAPPINGS,
    timeoutMs: 3000,
    ...extra,
  });

const searchConfig = (extra: Partial<LdapConfigInput> = {}) =>
  ZLdapConfig.parse({
    url: slapd.url,
    serviceDn: slapd.serviceDn,
    servicePassword: slapd.servicePassword,
    userSearchBase: SLAPD_PEOPLE_DN,
    groupSearchBase: SLAPD_GROUPS_DN,
    groupMappings: MAPPINGS,
    timeoutMs: 3000,
    ...extra,
  });

const ALICE_GROUP_DNS = [groupDn("license-admins"), groupDn("license-editors")];

async function expectUnavailable(promise: Promise<unknown>): Promise<LdapUnavailableError> {
  const error: unknown = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LdapUnavailableError);
  return error as LdapUnavailableError;
}

describe.skipIf(noSlapd).each([
  { mode: "bind DN template", config: templateConfig },
  { mode: "service account search", config: searchConfig },
])("ldapAuthenticate, $mode", ({ mode, config }) => {
  it("signs alice in with her groups: the highest mapped role and the union of mapped groups", async () => {
    const identity = await ldapAuthenticate(config(), "alice", alice.password);
    expect(identity).not.toBeNull();
    expect({ ...identity, ldapGroups: [...(identity?.ldapGroups ?? [])].sort() }).toEqual({
      dn: personDn(alice),
      email: "alice@example.com",
      name: "Alice Admin",
      ldapGroups: [...ALICE_GROUP_DNS].sort(),
      role: "admin",
      groups: ["Acme", "Globex", "Initech"],
    });
  });

  it("maps carol (editors only) to editor", async () => {
    const identity = await ldapAuthenticate(config(), "carol", carol.password);
    expect(identity).toMatchObject({ role: "editor", groups: ["Initech", "Acme"], email: carol.mail });
    expect(identity?.ldapGroups).toEqual([groupDn("license-editors")]);
  });

  it("refuses a wrong password and an unknown user", async () => {
    expect(await ldapAuthenticate(config(), "alice", "wrong")).toBeNull();
    expect(await ldapAuthenticate(config(), "alice", `${alice.password} `)).toBeNull();
    expect(await ldapAuthenticate(config(), "nobody", alice.password)).toBeNull();
    expect(await ldapAuthenticate(config(), "", alice.password)).toBeNull();
  });

  it("refuses an empty password, which the directory itself would accept as an anonymous bind", async () => {
    // the hazard: a simple bind with a DN and no password is an "unauthenticated" bind that succeeds
    const raw = new Client({ url: slapd.url, timeout: 3000 });
    try {
      await expect(raw.bind(personDn(alice), "")).resolves.toBeUndefined();
    } finally {
      await raw.unbind();
    }
    expect(await ldapAuthenticate(config(), "alice", "")).toBeNull();
    expect(await ldapAuthenticate(config(), "bob", "")).toBeNull();
  });

  it("gives bob (in no group) no role, or defaultRole when one is set", async () => {
    expect(await ldapAuthenticate(config(), "bob", bob.password)).toEqual({
      dn: personDn(bob),
      email: bob.mail,
      name: bob.cn,
      ldapGroups: [],
      role: null,
      groups: [],
    });
    expect(await ldapAuthenticate(config({ defaultRole: "viewer" }), "bob", bob.password)).toMatchObject({
      role: "viewer",
      groups: [],
    });
    // defaultRole never lowers a mapped role
    expect(await ldapAuthenticate(config({ defaultRole: "viewer" }), "alice", alice.password)).toMatchObject({
      role: "admin",
    });
  });

  it.each([
    "*",
    "alice)(uid=*",
    "*)(uid=*))(|(uid=*",
    "alice*",
    "a*",
    "*)(|(objectClass=*)",
    "alice,ou=people",
  ])("never signs anyone in with the injection attempt %j", async (username) => {
    for (const password of [alice.password, bob.password, carol.password]) {
      expect(await ldapAuthenticate(config(), username, password)).toBeNull();
    }
  });

  it("signs in a user whose uid has filter, DN and `$&` characters, with their group", async () => {
    const identity = await ldapAuthenticate(config(), odd.uid, odd.password);
    expect(identity).toMatchObject({
      dn: personDn(odd),
      email: odd.mail,
      name: odd.cn,
      ldapGroups: [groupDn("license-editors")],
      role: "editor",
    });
    expect(await ldapAuthenticate(config(), odd.uid, alice.password)).toBeNull();
  });

  it("refuses an entry without an email address", async () => {
    expect(await ldapAuthenticate(config(), "nomail", nomail.password)).toBeNull();
  });

  it("reads no groups without a group search base", async () => {
    expect(
      await ldapAuthenticate(
        config({ groupSearchBase: undefined, defaultRole: "viewer" }),
        "alice",
        alice.password,
      ),
    ).toMatchObject({ ldapGroups: [], role: "viewer", groups: [] });
  });

  if (mode === "service account search") {
    it("finds people by mail too, and refuses a name that matches two entries", async () => {
      expect(await ldapAuthenticate(config(), "alice@example.com", alice.password)).toMatchObject({
        dn: personDn(alice),
        role: "admin",
      });
      expect(await ldapAuthenticate(config(), "shared@example.com", eve.password)).toBeNull();
      expect(await ldapAuthenticate(config(), "eve", eve.password)).toMatchObject({
        email: "shared@example.com",
      });
    });

    it("reports a refused service account as unavailable, without the password", async () => {
      const error = await expectUnavailable(
        ldapAuthenticate(config({ servicePassword: "not-the-Secret-9" }), "alice", alice.password),
      );
      expect(error.reason).toBe("misconfigured");
      expect(error.message).toContain("service account");
      expect(error.message).not.toContain("not-the-Secret-9");
      expect(error.message).not.toContain(alice.password);
    });
  }
});

describe.skipIf(noSlapd)("ldapAuthenticate over StartTLS", () => {
  it("signs in when the CA file trusts the directory's certificate", async () => {
    const config = templateConfig({ startTls: true, caFile: slapd.caFile ?? undefined });
    expect(await ldapAuthenticate(config, "alice", alice.password)).toMatchObject({ role: "admin" });
    expect(await ldapAuthenticate(config, "alice", "wrong")).toBeNull();
  });

  it("refuses an untrusted certificate, unless verification is turned off", async () => {
    const error = await expectUnavailable(
      ldapAuthenticate(templateConfig({ startTls: true }), "alice", alice.password),
    );
    expect(error.reason).toBe("tls");
    expect(
      await ldapAuthenticate(
        templateConfig({ startTls: true, tlsRejectUnauthorized: false }),
        "alice",
        alice.password,
      ),
    ).toMatchObject({ role: "admin" });
  });

  it("checks the host name against the certificate", async () => {
    const config = searchConfig({
      startTls: true,
      caFile: slapd.caFile ?? undefined,
      url: slapd.unnamedUrl ?? "",
    });
    // the same server and certificate, reached under an address the certificate does not name
    const error = await expectUnavailable(ldapAuthenticate(config, "alice", alice.password));
    expect(error.reason).toBe("tls");
    expect(error.message).toContain("ERR_TLS_CERT_ALTNAME_INVALID");
    expect(
      await ldapAuthenticate(searchConfig({ url: slapd.unnamedUrl ?? "" }), "alice", alice.password),
    ).toMatchObject({ role: "admin" });
  });
});

describe.skipIf(noSlapd)("ldapAuthenticate when the directory cannot answer", () => {
  it("fails fast with LdapUnavailableError on a closed port", async () => {
    const port = await freePort();
    const config = templateConfig({ url: `ldap://127.0.0.1:${port}`, timeoutMs: 4000 });
    const started = Date.now();
    const error = await expectUnavailable(ldapAuthenticate(config, "alice", alice.password));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.reason).toBe("unreachable");
    expect(error.message).not.toContain(alice.password);
  });

  it("gives up after timeoutMs when the server accepts the connection but never answers", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
      // read and drop what the client sends, so that its closing is seen
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      for (const config of [
        templateConfig({ url: `ldap://127.0.0.1:${port}`, timeoutMs: 400 }),
        searchConfig({ url: `ldap://127.0.0.1:${port}`, timeoutMs: 400 }),
        templateConfig({ url: `ldap://127.0.0.1:${port}`, timeoutMs: 400, startTls: true }),
        templateConfig({ url: `ldaps://127.0.0.1:${port}`, timeoutMs: 400 }),
      ]) {
        const started = Date.now();
        const error = await expectUnavailable(ldapAuthenticate(config, "alice", alice.password));
        const elapsed = Date.now() - started;
        expect(error.reason).toBe("timeout");
        expect(elapsed).toBeGreaterThanOrEqual(350);
        expect(elapsed).toBeLessThan(1500);
      }
      // every connection was closed by the client
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect([...sockets].filter((socket) => !socket.destroyed && !socket.readableEnded)).toEqual([]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("gives up after timeoutMs when the TLS handshake after StartTLS hangs", async () => {
    // answers the StartTLS request with success, then never speaks TLS
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.once("data", (request: Buffer) => {
        // LDAPMessage ::= SEQUENCE { messageID INTEGER (1 byte here), extendedReq [APPLICATION 23] }
        const messageId = request[4] ?? 1;
        socket.write(
          Buffer.from([
            0x30,
            0x0c,
            0x02,
            0x01,
            messageId,
            0x78,
            0x07,
            0x0a,
            0x01,
            0x00,
            0x04,
            0x00,
            0x04,
            0x00,
          ]),
        );
        socket.resume();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const config = templateConfig({ url: `ldap://127.0.0.1:${port}`, timeoutMs: 400, startTls: true });
      const started = Date.now();
      const error = await expectUnavailable(ldapAuthenticate(config, "alice", alice.password));
      expect(error.reason).toBe("timeout");
      expect(error.message).toContain("TLS");
      expect(Date.now() - started).toBeLessThan(1500);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect([...sockets].filter((socket) => !socket.destroyed)).toEqual([]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("reports a search base that does not exist as unavailable, not as a wrong password", async () => {
    const error = await expectUnavailable(
      ldapAuthenticate(
        searchConfig({ userSearchBase: "ou=nope,dc=example,dc=com" }),
        "alice",
        alice.password,
      ),
    );
    expect(error.reason).toBe("misconfigured");
  });
});

describe.skipIf(noSlapd)("loadLdapConfig", () => {
  it("gives a configuration that signs in against the directory", async () => {
    const config = loadLdapConfig({
      LDAP_URL: slapd.url,
      LDAP_START_TLS: "1",
      LDAP_CA_FILE: slapd.caFile ?? undefined,
      LDAP_SERVICE_DN: slapd.serviceDn,
      LDAP_SERVICE_PASSWORD: slapd.servicePassword,
      LDAP_USER_SEARCH_BASE: SLAPD_PEOPLE_DN,
      LDAP_GROUP_SEARCH_BASE: SLAPD_GROUPS_DN,
      LDAP_GROUP_MAPPINGS: JSON.stringify(MAPPINGS),
    });
    expect(config).not.toBeNull();
    if (config)
      expect(await ldapAuthenticate(config, "carol", carol.password)).toMatchObject({ role: "editor" });
  });
});
