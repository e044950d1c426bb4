// Sign-in through the real directory: login() with the LDAP configuration an operator would
// write, against a slapd this test starts, on both databases. Skipped without slapd.
import { afterAll, beforeAll, expect, it } from "vitest";
import { authenticateAccessToken } from "../../src/server/auth/admin-actor.ts";
import { directoryFor } from "../../src/server/auth/directory.ts";
import { loadLdapConfig } from "../../src/server/auth/ldap/load-config.ts";
import { login, type LoginDeps } from "../../src/server/auth/login.ts";
import { LoginLimiter } from "../../src/server/auth/rate-limit.ts";
import { createGroup } from "../../src/server/core/groups/create-group.ts";
import { createLogger } from "../../src/server/logger.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { unique } from "../support/fixtures.ts";
import { SLAPD_PEOPLE, slapdMissing, startSlapd, stopSlapd, type Slapd } from "../support/slapd.ts";

const JWT_SECRET = "l".repeat(40);

describeEachDb.skipIf(slapdMissing())("LDAP sign-in", (getDb) => {
  let slapd: Slapd;
  let groupName: string;
  beforeAll(async () => {
    slapd = await startSlapd();
    groupName = unique("Directory customers");
    await createGroup(getDb().ctx(), { name: groupName });
  });
  afterAll(async () => {
    await stopSlapd(slapd);
  });

  const deps = (db: TestDb, url = slapd.url): LoginDeps => {
    const config = loadLdapConfig({
      LDAP_URL: url,
      LDAP_BIND_DN_TEMPLATE: "uid={username},ou=people,dc=example,dc=com",
      LDAP_GROUP_SEARCH_BASE: "ou=groups,dc=example,dc=com",
      LDAP_GROUP_MAPPINGS: JSON.stringify([
        { ldapGroup: "license-admins", role: "admin", groups: [groupName] },
        { ldapGroup: "license-editors", role: "editor", groups: [] },
      ]),
      LDAP_TIMEOUT_MS: "2000",
    });
    if (!config) throw new Error("LDAP config missing");
    return {
      db: db.handle.db,
      provider: db.provider,
      now: db.clock.now(),
      logger: createLogger({ level: "silent" }),
      jwtSecret: JWT_SECRET,
      encryptionKey: db.ctx().encryptionKey,
      limiter: new LoginLimiter(),
      directory: directoryFor(config),
    };
  };

  it("creates the admin on first sign-in with the mapped role and groups, then signs in again", async () => {
    const db = getDb();
    const { alice } = SLAPD_PEOPLE;
    const first = await login(deps(db), { email: alice.uid, password: alice.password }, "10.9.0.1");
    expect(first.admin).toMatchObject({
      email: alice.mail,
      name: alice.cn,
      role: "admin",
      authSource: "ldap",
    });
    expect(first.admin.groups.map((g) => g.name)).toEqual([groupName]);
    const actor = await authenticateAccessToken(db.handle.db, JWT_SECRET, first.token, db.clock.now());
    expect(actor).toMatchObject({ role: "admin", label: alice.mail });
    const again = await login(deps(db), { email: alice.uid, password: alice.password }, "10.9.0.1");
    expect(again.admin.id).toBe(first.admin.id);
    expect(await db.handle.db.admin.count({ where: { email: alice.mail } })).toBe(1);
    const created = await db.handle.db.auditEvent.count({
      where: { action: "admin.create", targetId: first.admin.id },
    });
    expect(created).toBe(1);
  });

  it("refuses a wrong password, a user without a mapped group and an unreachable directory", async () => {
    const db = getDb();
    const { alice, bob } = SLAPD_PEOPLE;
    await expectDomainError(
      login(deps(db), { email: alice.uid, password: "wrong" }, "10.9.0.2"),
      "UNAUTHENTICATED",
    );
    await expectDomainError(
      login(deps(db), { email: bob.uid, password: bob.password }, "10.9.0.2"),
      "UNAUTHENTICATED",
    );
    expect(await db.handle.db.admin.count({ where: { email: bob.mail } })).toBe(0);
    const down = await expectDomainError(
      login(deps(db, "ldap://127.0.0.1:1"), { email: alice.uid, password: alice.password }, "10.9.0.2"),
      "UNAUTHENTICATED",
    );
    expect(down.message).toBe("the sign-in directory is unavailable; try again later");
  });
});
