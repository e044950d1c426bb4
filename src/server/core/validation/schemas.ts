// Zod building blocks of the licensing API's inputs. Field names follow the proto contract
// (license.v1) in its JSON form, so error paths read the same on gRPC and the REST twin.
import { z } from "zod";
import { normalizeLicenseKey } from "../licenses/license-key.ts";

/** Whether `value` holds a control character (U+0000–U+001F, U+007F). */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Refuses control characters in an identifier-like input that is stored (fingerprints, host
 * names, feature codes...): they are never meaningful there, and PostgreSQL text cannot hold
 * U+0000 at all (the write would fail as an internal error).
 */
export const noControlCharacters = [
  (value: string) => !hasControlCharacter(value),
  "must not contain control characters",
] as const;

/** Refuses U+0000 in free text that is stored (PostgreSQL text cannot hold it). */
export const noNulCharacter = [
  (value: string) => !value.includes("\u0000"),
  "must not contain NUL characters",
] as const;

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

export const ZFingerprint = z
  .string()
  .trim()
  .min(1, "is required")
  .max(256)
  .refine(...noControlCharacters);

/** Kinds of machine components the SDK collects (sdk/docs/machine-components.md); others are accepted too. */
export const ZMachineComponent = z.object({
  kind: z
    .string()
    .trim()
    .min(1, "is required")
    .max(32)
    .refine(...noControlCharacters)
    .regex(/^[a-z0-9_]+$/, "must be lower-case letters, digits or _"),
  hash: z
    .string()
    .trim()
    .min(1, "is required")
    .max(128)
    .refine(...noControlCharacters),
});

/** The components as a map kind -> hash; a kind listed twice is an error. */
export const ZMachineComponents = z
  .array(ZMachineComponent)
  .max(16)
  .default([])
  .superRefine((list, issues) => {
    const seen = new Set<string>();
    list.forEach((c, index) => {
      if (seen.has(c.kind))
        issues.addIssue({ code: "custom", path: [index, "kind"], message: "listed twice" });
      seen.add(c.kind);
    });
  })
  .transform((list) => Object.fromEntries(list.map((c) => [c.kind, c.hash])) as Record<string, string>);
export type MachineComponents = Record<string, string>;

export const ZClientInfo = z.object({
  productCode: z
    .string()
    .trim()
    .min(1, "is required")
    .max(64)
    .refine(...noControlCharacters),
  fingerprint: ZFingerprint,
  clientVersion: z
    .string()
    .trim()
    .max(100)
    .refine(...noControlCharacters)
    .default(""),
  hostname: z
    .string()
    .trim()
    .max(255)
    .refine(...noControlCharacters)
    .default(""),
  /** hashed hardware components (optional): policies may match machines by them */
  components: ZMachineComponents,
});
export type ClientInfo = z.output<typeof ZClientInfo>;

/** What every call naming a license carries. */
export const ZClientRequest = z.object({
  licenseKey: ZLicenseKey,
  client: ZClientInfo,
});

export const ZSessionId = z
  .string()
  .trim()
  .min(1, "is required")
  .max(64)
  .refine(...noControlCharacters);
