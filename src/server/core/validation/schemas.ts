// Zod building blocks of the licensing API's inputs. Field names follow the proto contract
// (license.v1) in its JSON form, so error paths read the same on gRPC and the REST twin.
import { z } from "zod";
import { normalizeLicenseKey } from "../licenses/license-key.ts";

export const ZLicenseKey = z
  .string()
  .trim()
  .min(1, "is required")
  .max(64)
  .transform((value, ctx) => {
    const key = normalizeLicenseKey(value);
    if (key === null) {
      ctx.addIssue({
        code: "custom",
        message: "is not a well-formed license key (25 symbols: XXXXX-XXXXX-XXXXX-XXXXX-XXXXX)",
      });
      return z.NEVER;
    }
    return key;
  });

export const ZFingerprint = z.string().trim().min(1, "is required").max(256);

export const ZClientInfo = z.object({
  productCode: z.string().trim().min(1, "is required").max(64),
  fingerprint: ZFingerprint,
  clientVersion: z.string().trim().max(100).default(""),
  hostname: z.string().trim().max(255).default(""),
});
export type ClientInfo = z.output<typeof ZClientInfo>;

/** What every call naming a license carries. */
export const ZClientRequest = z.object({
  licenseKey: ZLicenseKey,
  client: ZClientInfo,
});

export const ZSessionId = z.string().trim().min(1, "is required").max(64);
