// The maintain_versions rule, server side: which client versions an expired license still runs.
// The rule itself (versionCovered) is the SDK's, so the grace tier judges offline as the server
// judges online. Read only for an expired maintain_versions license: the VALID path of a license
// that has not expired reads no release.
import semver from "semver";
import { canonicalVersion, versionCovered } from "@license-server/sdk/offline";
import type { Db } from "../../db/client.ts";

export type Coverage =
  | {
      covered: true;
      /** the highest version released at or before the expiry (grace token claim `mxv`) */
      highest: string;
      message: string;
    }
  | { covered: false; message: string };

/** The highest version among `versions` (canonical semver), or null for none. */
export function highestVersion(versions: readonly string[]): string | null {
  return versions.reduce<string | null>((top, v) => (top === null || semver.gt(v, top) ? v : top), null);
}

/**
 * Whether a license of `product` that expired at `expiredAt` (expiry strategy maintain_versions)
 * covers a client at `clientVersion`: versions up to the highest one released at or before the
 * expiry (see versionCovered).
 */
export async function versionCoverage(
  db: Db,
  product: { id: string; code: string },
  expiredAt: Date,
  clientVersion: string,
): Promise<Coverage> {
  const on = expiredAt.toISOString();
  const rule = `after the license expired on ${on}, only versions released before then run`;
  if (clientVersion === "") {
    return { covered: false, message: `the client sent no client version: ${rule}` };
  }
  const version = canonicalVersion(clientVersion);
  if (version === null) {
    return { covered: false, message: `client version "${clientVersion}" is not a semver version: ${rule}` };
  }
  const releases = await db.release.findMany({
    where: { productId: product.id },
    select: { version: true, releasedAt: true },
  });
  const highest = highestVersion(releases.filter((r) => r.releasedAt <= expiredAt).map((r) => r.version));
  if (highest === null) {
    return {
      covered: false,
      message: `no release of ${product.code} was published before the license expired on ${on}`,
    };
  }
  if (versionCovered(version, highest)) {
    return {
      covered: true,
      highest,
      message: `the license expired on ${on}; version ${version} is still covered (versions up to ${highest})`,
    };
  }
  const later = releases.some((r) => r.version === version && r.releasedAt > expiredAt);
  return {
    covered: false,
    message: later
      ? `version ${version} was released after this license expired on ${on} (it covers versions up to ${highest})`
      : `version ${version} is not covered: this license expired on ${on} and covers versions up to ${highest}`,
  };
}
