// Sign-in against an LDAP directory (OpenLDAP, 389-DS, Active Directory over LDAP): find the person,
// check the password with a bind, read the groups and map them to a role and license-server groups.
// The login flow (login.ts) decides what to do with the result.
import { accessSync, constants as fsConstants } from "node:fs";
import { readFile } from "node:fs/promises";
import net from "node:net";
import tls from "node:tls";
import { Client, Filter, FilterParser, ResultCodeError, SASL_MECHANISMS } from "ldapts";
import type { Entry } from "ldapts";
import { z } from "zod";
import { ROLES } from "../core/context.ts";
import type { Role } from "../core/context.ts";

// ---------------------------------------------------------------------------------------------
// Configuration

const ZRole = z.enum(ROLES);

const ZGroupMapping = z.strictObject({
  /** a group's DN or its cn, compared case-insensitively */
  ldapGroup: z.string().trim().min(1),
  role: ZRole,
  /** license-server group names the members get */
  groups: z.array(z.string().trim().min(1)).default([]),
});
export type LdapGroupMapping = z.output<typeof ZGroupMapping>;

const optionalText = z.string().trim().min(1).optional();

/** Whether a filter template is valid LDAP filter syntax once its placeholders are filled. */
function isValidFilterTemplate(template: string): boolean {
  try {
    FilterParser.parseString(fillTemplate(template, { username: "x", dn: "x" }));
    return true;
  } catch {
    return false;
  }
}

export const ZLdapConfig = z
  .object({
    url: z
      .string()
      .trim()
      .refine(isLdapUrl, "must be ldap://host[:port] or ldaps://host[:port] (no path, no credentials)"),
    /** upgrade an ldap:// connection with the StartTLS operation before anything is sent */
    startTls: z.boolean().default(false),
    tlsRejectUnauthorized: z.boolean().default(true),
    /** PEM file with the CA(s) that signed the directory's certificate */
    caFile: optionalText,
    /** the longest one sign-in waits for the directory, connection included */
    timeoutMs: z.number().int().min(100).max(120_000).default(5000),

    /** mode 1: bind directly as the person, e.g. "uid={username},ou=people,dc=example,dc=com" */
    bindDnTemplate: optionalText.refine(
      (value) => value === undefined || value.includes("{username}"),
      "must contain {username}",
    ),

    /** mode 2: a service account finds the person's entry, then a bind checks the password */
    serviceDn: optionalText,
    servicePassword: z.string().min(1).optional(),
    userSearchBase: optionalText,
    userFilter: z
      .string()
      .trim()
      .default("(|(uid={username})(mail={username}))")
      .refine((value) => value.includes("{username}"), "must contain {username}")
      .refine(isValidFilterTemplate, "is not a valid LDAP filter"),

    emailAttribute: z.string().trim().min(1).default("mail"),
    nameAttribute: z.string().trim().min(1).default("cn"),

    /** no base: groups are not read and everybody gets defaultRole */
    groupSearchBase: optionalText,
    /** {dn}: the person's DN; {username}: what they typed (posixGroup memberUid) */
    groupFilter: z
      .string()
      .trim()
      .default("(member={dn})")
      .refine(isValidFilterTemplate, "is not a valid LDAP filter"),
    groupMappings: z.array(ZGroupMapping).default([]),
    /** the role of a person whose groups match no mapping; null: such a person has no access */
    defaultRole: ZRole.nullable().default(null),
  })
  .superRefine((config, ctx) => {
    const template = config.bindDnTemplate !== undefined;
    const search =
      config.serviceDn !== undefined ||
      config.servicePassword !== undefined ||
      config.userSearchBase !== undefined;
    if (template && search) {
      ctx.addIssue({
        code: "custom",
        path: ["bindDnTemplate"],
        message: "set either bindDnTemplate or serviceDn + servicePassword + userSearchBase, not both",
      });
    } else if (!template && !search) {
      ctx.addIssue({
        code: "custom",
        path: ["bindDnTemplate"],
        message: "set bindDnTemplate, or serviceDn + servicePassword + userSearchBase",
      });
    } else if (search) {
      // an empty service password would be an anonymous bind, so it is required like the DN
      for (const key of ["serviceDn", "servicePassword", "userSearchBase"] as const) {
        if (config[key] === undefined) {
          ctx.addIssue({ code: "custom", path: [key], message: "is required in search mode" });
        }
      }
    }
    if (config.startTls && config.url.toLowerCase().startsWith("ldaps:")) {
      ctx.addIssue({
        code: "custom",
        path: ["startTls"],
        message: "is for ldap:// URLs; an ldaps:// connection is already encrypted",
      });
    }
  });
export type LdapConfig = z.output<typeof ZLdapConfig>;
export type LdapConfigInput = z.input<typeof ZLdapConfig>;

function isLdapUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === "ldap:" || url.protocol === "ldaps:") &&
    url.hostname !== "" &&
    url.username === "" &&
    url.password === "" &&
    (url.pathname === "" || url.pathname === "/") &&
    url.search === "" &&
    url.hash === ""
  );
}

/** The environment variable behind each setting, for error messages. */
const ENV_KEYS = {
  url: "LDAP_URL",
  startTls: "LDAP_START_TLS",
  tlsRejectUnauthorized: "LDAP_TLS_REJECT_UNAUTHORIZED",
  caFile: "LDAP_CA_FILE",
  timeoutMs: "LDAP_TIMEOUT_MS",
  bindDnTemplate: "LDAP_BIND_DN_TEMPLATE",
  serviceDn: "LDAP_SERVICE_DN",
  servicePassword: "LDAP_SERVICE_PASSWORD",
  userSearchBase: "LDAP_USER_SEARCH_BASE",
  userFilter: "LDAP_USER_FILTER",
  emailAttribute: "LDAP_EMAIL_ATTRIBUTE",
  nameAttribute: "LDAP_NAME_ATTRIBUTE",
  groupSearchBase: "LDAP_GROUP_SEARCH_BASE",
  groupFilter: "LDAP_GROUP_FILTER",
  groupMappings: "LDAP_GROUP_MAPPINGS",
  defaultRole: "LDAP_DEFAULT_ROLE",
} as const satisfies Record<keyof LdapConfigInput, string>;

/** A bad LDAP_* setting; the message names it and never carries a value that could be secret. */
export class LdapConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LdapConfigError";
  }
}
const settingError = (key: string, problem: string) => new LdapConfigError(`${key} ${problem}`);

/**
 * The LDAP settings from environment-style keys (LDAP_URL, LDAP_BIND_DN_TEMPLATE, ...; see
 * ENV_KEYS). No LDAP_URL: null, LDAP sign-in is off. Empty values count as absent. Throws an
 * Error naming the bad LDAP_* setting; values are never echoed (one of them is a password).
 */
export function loadLdapConfig(source: Record<string, string | undefined>): LdapConfig | null {
  const get = (key: string): string | undefined => {
    const value = source[key]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const url = get(ENV_KEYS.url);
  if (url === undefined) return null;

  const bool = (key: string): boolean | undefined => {
    const value = get(key)?.toLowerCase();
    if (value === undefined) return undefined;
    if (["true", "1", "yes", "on"].includes(value)) return true;
    if (["false", "0", "no", "off"].includes(value)) return false;
    throw settingError(key, "must be true or false");
  };
  const int = (key: string): number | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw settingError(key, "must be a whole number");
    return Number(value);
  };

  let groupMappings: unknown;
  const mappingsText = get(ENV_KEYS.groupMappings);
  if (mappingsText !== undefined) {
    try {
      groupMappings = JSON.parse(mappingsText);
    } catch (error) {
      throw settingError(
        ENV_KEYS.groupMappings,
        `is not valid JSON (${(error as Error).message}); expected an array like ` +
          `[{"ldapGroup":"cn=license-admins,ou=groups,dc=example,dc=com","role":"admin","groups":["Acme"]}]`,
      );
    }
  }

  const defaultRoleText = get(ENV_KEYS.defaultRole);
  const caFile = get(ENV_KEYS.caFile);
  if (caFile !== undefined) {
    try {
      accessSync(caFile, fsConstants.R_OK);
    } catch {
      throw settingError(ENV_KEYS.caFile, `names a file that cannot be read: ${caFile}`);
    }
  }

  // the password is not trimmed: spaces may be part of it
  const servicePassword = source[ENV_KEYS.servicePassword];
  const raw: Record<keyof LdapConfigInput, unknown> = {
    url,
    startTls: bool(ENV_KEYS.startTls),
    tlsRejectUnauthorized: bool(ENV_KEYS.tlsRejectUnauthorized),
    caFile,
    timeoutMs: int(ENV_KEYS.timeoutMs),
    bindDnTemplate: get(ENV_KEYS.bindDnTemplate),
    serviceDn: get(ENV_KEYS.serviceDn),
    servicePassword: servicePassword === "" ? undefined : servicePassword,
    userSearchBase: get(ENV_KEYS.userSearchBase),
    userFilter: get(ENV_KEYS.userFilter),
    emailAttribute: get(ENV_KEYS.emailAttribute),
    nameAttribute: get(ENV_KEYS.nameAttribute),
    groupSearchBase: get(ENV_KEYS.groupSearchBase),
    groupFilter: get(ENV_KEYS.groupFilter),
    groupMappings,
    defaultRole:
      defaultRoleText === undefined || defaultRoleText.toLowerCase() === "none" ? null : defaultRoleText,
  };

  const parsed = ZLdapConfig.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const [field, ...rest] = issue.path;
    const key =
      typeof field === "string" && field in ENV_KEYS ? ENV_KEYS[field as keyof typeof ENV_KEYS] : "LDAP";
    const where = rest.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("");
    return `${key}${where} ${issue.message}`;
  });
  throw new LdapConfigError(`Invalid LDAP settings: ${problems.join("; ")}`);
}

// ---------------------------------------------------------------------------------------------
// Escaping

/** RFC 4515: a value placed inside a search filter matches only itself (no `*`, no `)(`). */
export function escapeFilterValue(value: string): string {
  return Filter.escape(value);
}

/** RFC 4514: a value placed in a DN attribute value stays one value (no `,` or `+` splitting). */
export function escapeDnValue(value: string): string {
  let escaped = "";
  const last = value.length - 1;
  for (let index = 0; index <= last; index++) {
    const char = value.charAt(index);
    if (char === "\0") escaped += "\\00";
    else if ('"+,;<>\\='.includes(char)) escaped += `\\${char}`;
    else if ((index === 0 && (char === " " || char === "#")) || (index === last && char === " ")) {
      escaped += `\\${char}`;
    } else escaped += char;
  }
  return escaped;
}

/** Replaces {name} placeholders; a function replacer, so `$&` in a value stays literal. */
function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(username|dn)\}/g, (match, name: string) => values[name] ?? match);
}

// ---------------------------------------------------------------------------------------------
// Sign-in

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

export type LdapUnavailableReason = "unreachable" | "timeout" | "tls" | "misconfigured" | "directory_error";

/**
 * The directory could not answer: unreachable, too slow, TLS refused, or it refused the server's own
 * settings (service account, search base). The message is safe to show; `cause` has the details.
 */
export class LdapUnavailableError extends Error {
  readonly reason: LdapUnavailableReason;
  constructor(reason: LdapUnavailableReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LdapUnavailableError";
    this.reason = reason;
  }
}

type Stage =
  "connect" | "starttls" | "service_bind" | "user_search" | "user_bind" | "read_user" | "group_search";

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
const TIME_LIMIT_EXCEEDED = 3;
const BUSY = 51;
const UNAVAILABLE = 52;

const STAGE_TEXT: Record<Stage, string> = {
  connect: "connecting to the LDAP directory",
  starttls: "starting TLS with the LDAP directory",
  service_bind: "signing in to the LDAP directory with the service account (check LDAP_SERVICE_DN/PASSWORD)",
  user_search: "searching the LDAP directory for the user (check LDAP_USER_SEARCH_BASE/FILTER)",
  user_bind: "checking the password with the LDAP directory",
  read_user: "reading the user's LDAP entry",
  group_search: "searching the LDAP directory for groups (check LDAP_GROUP_SEARCH_BASE/FILTER)",
};

const SOCKET_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ETIMEDOUT",
]);

function toUnavailable(error: unknown, stage: Stage): LdapUnavailableError {
  if (error instanceof LdapUnavailableError) return error;
  const during = STAGE_TEXT[stage];
  if (error instanceof ResultCodeError) {
    if (error.code === TIME_LIMIT_EXCEEDED) {
      return new LdapUnavailableError("timeout", `LDAP directory timed out while ${during}`, {
        cause: error,
      });
    }
    if (error.code === BUSY || error.code === UNAVAILABLE) {
      return new LdapUnavailableError("unreachable", `LDAP directory is unavailable (${during})`, {
        cause: error,
      });
    }
    if (stage === "starttls") {
      return new LdapUnavailableError("tls", `LDAP directory refused StartTLS (result code ${error.code})`, {
        cause: error,
      });
    }
    const reason = stage === "service_bind" || stage === "user_search" ? "misconfigured" : "directory_error";
    return new LdapUnavailableError(reason, `LDAP error ${error.code} while ${during}`, { cause: error });
  }
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === "string" && SOCKET_ERROR_CODES.has(code)) {
    return new LdapUnavailableError("unreachable", `LDAP directory is unreachable (${code})`, {
      cause: error,
    });
  }
  if (
    typeof code === "string" &&
    (code.startsWith("ERR_TLS") ||
      code.startsWith("ERR_SSL") ||
      code.includes("CERT") ||
      code.includes("SELF_SIGNED") ||
      code.startsWith("UNABLE_TO"))
  ) {
    return new LdapUnavailableError("tls", `TLS with the LDAP directory failed (${code})`, { cause: error });
  }
  if (/timeout|timed out/i.test(message)) {
    return new LdapUnavailableError("timeout", `LDAP directory timed out while ${during}`, { cause: error });
  }
  if (/socket|connection closed/i.test(message) || stage === "connect") {
    return new LdapUnavailableError("unreachable", `LDAP connection failed while ${during}`, {
      cause: error,
    });
  }
  return new LdapUnavailableError("directory_error", `LDAP sign-in failed while ${during}`, { cause: error });
}

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

/** Lowercase, no spaces around separators: enough to compare a configured DN with the directory's. */
function normalizeDn(dn: string): string {
  return dn
    .trim()
    .toLowerCase()
    .replace(/\s*([,=+])\s*/g, "$1");
}

export interface DirectoryGroup {
  dn: string;
  names: string[];
}

/** The role and license-server groups that the mappings give for these directory groups. */
export function mapGroups(
  config: Pick<LdapConfig, "groupMappings" | "defaultRole">,
  ldapGroups: readonly DirectoryGroup[],
): { role: Role | null; groups: string[] } {
  let role: Role | null = null;
  const groups = new Set<string>();
  for (const mapping of config.groupMappings) {
    const wanted = mapping.ldapGroup.toLowerCase();
    const wantedDn = normalizeDn(mapping.ldapGroup);
    const matches = ldapGroups.some(
      (group) =>
        normalizeDn(group.dn) === wantedDn || group.names.some((name) => name.toLowerCase() === wanted),
    );
    if (!matches) continue;
    if (role === null || ROLES.indexOf(mapping.role) > ROLES.indexOf(role)) role = mapping.role;
    for (const name of mapping.groups) groups.add(name);
  }
  return { role: role ?? config.defaultRole, groups: [...groups] };
}

async function tlsOptionsFor(config: LdapConfig, host: string): Promise<tls.ConnectionOptions> {
  let ca: Buffer | undefined;
  if (config.caFile !== undefined) {
    try {
      ca = await readFile(config.caFile);
    } catch (error) {
      throw new LdapUnavailableError("misconfigured", "the LDAP CA file (LDAP_CA_FILE) cannot be read", {
        cause: error,
      });
    }
  }
  return {
    rejectUnauthorized: config.tlsRejectUnauthorized,
    // the name the certificate must carry; SNI only takes host names
    host,
    ...(net.isIP(host) === 0 ? { servername: host } : {}),
    ...(ca ? { ca } : {}),
  };
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

  const url = new URL(config.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const secure = url.protocol === "ldaps:";
  const tlsOptions = secure || config.startTls ? await tlsOptionsFor(config, host) : undefined;

  // sockets are tracked so that the deadline can cut a hung connection or TLS handshake
  const sockets: net.Socket[] = [];
  let abandoned = false;
  const track = <T extends net.Socket>(socket: T): T => {
    sockets.push(socket);
    // ldapts reconnects on its own when a later step of an abandoned sign-in runs: refuse that
    if (abandoned) socket.destroy();
    return socket;
  };
  const client = new Client({
    url: config.url,
    timeout: config.timeoutMs,
    connectTimeout: config.timeoutMs,
    // ldapts connects with TLS whenever tlsOptions are given, so an ldap:// URL gets them at StartTLS
    ...(secure
      ? {
          tlsOptions,
          createSecureConnection: ((port: number, hostname: string, options: tls.ConnectionOptions) =>
            track(tls.connect(port, hostname, options))) as typeof tls.connect,
        }
      : {
          createConnection: ((port: number, hostname: string) =>
            track(net.connect(port, hostname))) as typeof net.connect,
        }),
  });

  const stage: { current: Stage } = { current: "connect" };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandoned = true;
      for (const socket of sockets) socket.destroy();
      reject(
        new LdapUnavailableError(
          "timeout",
          `LDAP directory did not answer within ${config.timeoutMs} ms (${STAGE_TEXT[stage.current]})`,
        ),
      );
    }, config.timeoutMs);
  });
  try {
    return await Promise.race([signIn(client, config, username, password, tlsOptions, stage), deadline]);
  } catch (error) {
    throw toUnavailable(error, stage.current);
  } finally {
    clearTimeout(timer);
    abandoned = true;
    await client.unbind().catch(() => undefined);
    for (const socket of sockets) socket.destroy();
  }
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
