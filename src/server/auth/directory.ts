import { DomainError } from "../core/errors.ts";
import type { LdapConfig } from "./ldap/config.ts";
import { ldapAuthenticate } from "./ldap/authenticate.ts";
import { LdapUnavailableError } from "./ldap/unavailable.ts";
import type { LoginDeps } from "./login.ts";

/**
 * The LDAP directory as login() sees it. An unreachable directory refuses the sign-in with a
 * message saying so (not counted as a wrong password); its details stay in the server log.
 */
export function directoryFor(config: LdapConfig): NonNullable<LoginDeps["directory"]> {
  return async (username, password) => {
    try {
      return await ldapAuthenticate(config, username, password);
    } catch (error) {
      if (error instanceof LdapUnavailableError) {
        throw new DomainError(
          "UNAUTHENTICATED",
          "the sign-in directory is unavailable; try again later",
          [],
          { cause: error },
        );
      }
      throw error;
    }
  };
}
