// The LDAP settings and their rules (ZLdapConfig): the directory's URL and TLS, exactly one way to
// find people (a bind DN template, or a service account that searches), the attributes to read, and
// how directory groups map to a role and license-server groups. load-config.ts reads them from the
// LDAP_* environment variables.
import { FilterParser } from "ldapts";
import { z } from "zod";
import { ROLES } from "../../core/context.ts";
import { fillTemplate } from "./escaping.ts";

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
