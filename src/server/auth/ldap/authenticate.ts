// Sign-in against an LDAP directory (OpenLDAP, 389-DS, Active Directory over LDAP): find the person,
// check the password with a bind, read the groups and map them to a role and license-server groups.
// The login flow (login.ts, through directory.ts) decides what to do with the result.
// The rest of this folder: config.ts (the settings' rules), load-config.ts (from LDAP_* variables),
// escaping.ts (what the person typed, inside filters and DNs), connection.ts (one connection with
// TLS and a deadline), unavailable.ts (a directory that cannot answer), group-mapping.ts.
import { ResultCodeError, SASL_MECHANISMS } from "ldapts";
import type { Client, Entry } from "ldapts";
import type tls from "node:tls";
import type { Role } from "../../core/context.ts";
import type { LdapConfig } from "./config.ts";
import { withDirectory } from "./connection.ts";
import { escapeDnValue, escapeFilterValue, fillTemplate } from "./escaping.ts";
import { mapGroups, type DirectoryGroup } from "./group-mapping.ts";
import { LdapUnavailableError, type Stage } from "./unavailable.ts";

export interface LdapIdentity {
  dn: string;
  email: string;
  name: string;
  /** DNs of every group the person is in (under groupSearchBase) */
  ldapGroups: string[];
  /** the highest role among the matching mappings, else defaultRole */
  role: Role | null;
  /** license-server group names: the union over the matching mappings */
  groups: string[];
}

// LDAP result codes (RFC 4511)
const INVALID_CREDENTIALS = 49;
// what a directory answers a bind it refuses for the person rather than for the server's settings
const PERSON_BIND_REFUSALS = new Set([
  INVALID_CREDENTIALS,
  19, // constraintViolation (password policy)
  32, // noSuchObject
  34, // invalidDNSyntax
  50, // insufficientAccessRights (account disabled)
  53, // unwillingToPerform (account locked)
]);

function firstValue(entry: Entry, attribute: string): string | undefined {
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((name) => name.toLowerCase() === wanted);
  if (key === undefined) return undefined;
  const value = entry[key];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  const text = (Buffer.isBuffer(first) ? first.toString("utf8") : first).trim();
  return text === "" ? undefined : text;
}

function allValues(entry: Entry, attribute: string): string[] {
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((name) => name.toLowerCase() === wanted);
  if (key === undefined) return [];
  const value = entry[key];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.map((one) => (Buffer.isBuffer(one) ? one.toString("utf8") : one));
}

/**
 * Checks a person's password with the directory and reads their groups.
 * null: wrong password, unknown or ambiguous user, empty password, an entry without the email
 * attribute, or a directory that refuses this person. Throws LdapUnavailableError when the
 * directory cannot be reached, is slower than timeoutMs, or refuses the server's own settings.
 */
export async function ldapAuthenticate(
  config: LdapConfig,
  username: string,
  password: string,
): Promise<LdapIdentity | null> {
  // an empty password is an anonymous ("unauthenticated") bind, which succeeds on most directories
  if (password === "" || username.trim() === "") return null;
  return withDirectory(config, ({ client, tlsOptions, stage }) =>
    signIn(client, config, username, password, tlsOptions, stage),
  );
}

async function signIn(
  client: Client,
  config: LdapConfig,
  username: string,
  password: string,
  tlsOptions: tls.ConnectionOptions | undefined,
  stage: { current: Stage },
): Promise<LdapIdentity | null> {
  if (config.startTls) {
    stage.current = "starttls";
    await client.startTLS({ ...tlsOptions });
  }
  const attributes = [config.emailAttribute, config.nameAttribute];

  /** false: the directory refused this person's password */
  const bindAsPerson = async (dn: string): Promise<boolean> => {
    stage.current = "user_bind";
    try {
      await client.bind(dn, password);
      return true;
    } catch (error) {
      if (error instanceof ResultCodeError && PERSON_BIND_REFUSALS.has(error.code)) return false;
      throw error;
    }
  };
  const searchGroups = async (dn: string): Promise<DirectoryGroup[]> => {
    if (config.groupSearchBase === undefined) return [];
    stage.current = "group_search";
    const filter = fillTemplate(config.groupFilter, {
      dn: escapeFilterValue(dn),
      username: escapeFilterValue(username),
    });
    const { searchEntries } = await client.search(config.groupSearchBase, {
      scope: "sub",
      filter,
      attributes: ["cn"],
    });
    return searchEntries.map((entry) => ({ dn: entry.dn, names: allValues(entry, "cn") }));
  };

  let entry: Entry;
  let groups: DirectoryGroup[];
  if (config.bindDnTemplate !== undefined) {
    const dn = fillTemplate(config.bindDnTemplate, { username: escapeDnValue(username) });
    // ldapts takes a DN equal to a SASL mechanism name ("EXTERNAL", "PLAIN") as a SASL bind
    if ((SASL_MECHANISMS as readonly string[]).includes(dn)) return null;
    if (!(await bindAsPerson(dn))) return null;
    stage.current = "read_user";
    const { searchEntries } = await client.search(dn, {
      scope: "base",
      filter: "(objectClass=*)",
      attributes,
    });
    const found = searchEntries[0];
    if (found === undefined) return null;
    entry = found;
    groups = await searchGroups(entry.dn);
  } else {
    const { serviceDn, servicePassword, userSearchBase } = config;
    if (serviceDn === undefined || servicePassword === undefined || userSearchBase === undefined) {
      throw new LdapUnavailableError("misconfigured", "LDAP search mode needs a service account and a base");
    }
    stage.current = "service_bind";
    await client.bind(serviceDn, servicePassword);
    stage.current = "user_search";
    const { searchEntries } = await client.search(userSearchBase, {
      scope: "sub",
      filter: fillTemplate(config.userFilter, { username: escapeFilterValue(username) }),
      attributes,
      // two are enough to see that a name is ambiguous
      sizeLimit: 2,
    });
    const [found, another] = searchEntries;
    if (found === undefined || another !== undefined) return null;
    entry = found;
    // read while still bound as the service account, which may see groups the person cannot
    groups = await searchGroups(entry.dn);
    if (!(await bindAsPerson(entry.dn))) return null;
  }

  const email = firstValue(entry, config.emailAttribute);
  if (email === undefined) return null;
  const { role, groups: serverGroups } = mapGroups(config, groups);
  return {
    dn: entry.dn,
    email,
    name: firstValue(entry, config.nameAttribute) ?? email,
    ldapGroups: groups.map((group) => group.dn),
    role,
    groups: serverGroups,
  };
}
