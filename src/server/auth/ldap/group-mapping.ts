// From the directory groups a person is in to what they get here: the highest role among the
// matching LDAP_GROUP_MAPPINGS (else the default role) and the union of their license-server groups.
// A mapping names a group by DN (compared loosely: case, spaces around separators) or by cn.
import { ROLES } from "../../core/context.ts";
import type { Role } from "../../core/context.ts";
import type { LdapConfig } from "./config.ts";

export interface DirectoryGroup {
  dn: string;
  names: string[];
}

/** Lowercase, no spaces around separators: enough to compare a configured DN with the directory's. */
function normalizeDn(dn: string): string {
  return dn
    .trim()
    .toLowerCase()
    .replace(/\s*([,=+])\s*/g, "$1");
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
