// LDAP sign-in's settings from environment-style keys (LDAP_URL, LDAP_BIND_DN_TEMPLATE, ...):
// read, converted and checked against ZLdapConfig (config.ts), with errors that name the LDAP_*
// setting and never echo its value (one of them is a password).
import { accessSync, constants as fsConstants } from "node:fs";
import { ZLdapConfig, type LdapConfig, type LdapConfigInput } from "./config.ts";

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
