// The releases' input schemas, free of server code: the admin UI's forms use them too.
import semver from "semver";
import { z } from "zod";
import { ZDateTime, ZId } from "../shared/schemas.ts";

/**
 * A release's version: semver, stored canonical ("v1.2.0" and " =1.2.0 " read as "1.2.0").
 * Build metadata ("1.2.0+ci.7") is refused rather than dropped: it does not order versions, so two
 * builds of one version would silently be the same release.
 */
export const ZReleaseVersion = z
  .string()
  .trim()
  .min(1, "is required")
  .max(128)
  .superRefine((value, issues) => {
    if (semver.valid(semver.clean(value)) === null) {
      issues.addIssue({
        code: "custom",
        message: `"${value}" is not a semver version (e.g. 1.4.0 or 2.0.0-beta.1)`,
      });
    } else if (value.includes("+")) {
      issues.addIssue({
        code: "custom",
        message: `build metadata is not part of a release's version: publish ${semver.clean(value) ?? value}`,
      });
    }
  })
  .transform((value) => semver.clean(value) ?? value);

export const ZPublishReleaseInput = z.object({
  productId: ZId,
  version: ZReleaseVersion,
  /** default: now */
  releasedAt: ZDateTime.optional(),
  notes: z.string().trim().max(2000).default(""),
});
export type TPublishReleaseInput = z.input<typeof ZPublishReleaseInput>;
