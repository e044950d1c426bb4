// The version rule of the maintain_versions expiry strategy, shared by the server (which judges
// online) and the SDK's grace tier (which judges offline with the token's `mxv` claim), so both
// answer alike. See docs/releases-and-expiry.md.
import semver from "semver";

/**
 * A version in canonical semver form: surrounding spaces, a leading "v" or "=" and build metadata
 * ("+…") are dropped ("v1.2.3+ci.7" → "1.2.3"); null when it is not a semver version.
 */
export function canonicalVersion(version: string): string | null {
  return semver.valid(semver.clean(version));
}

/**
 * Whether a client at `version` runs when `highest` is the highest version released at or before
 * the license's expiry: every version up to it (semver order; with 1.4.0 covered, 1.3.9 and 1.4.0
 * are, 1.4.1 is not: it came later). A version that is not semver is not.
 */
export function versionCovered(version: string, highest: string): boolean {
  const client = canonicalVersion(version);
  const top = canonicalVersion(highest);
  if (!client || !top) return false;
  return semver.lte(client, top);
}
