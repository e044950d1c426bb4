import { z } from "zod";
import type { Prisma } from "../../db/client.ts";

/** An issuance record: which file was checked out, by whom, signed with which key. */
export const offlineIssuanceSelect = {
  id: true,
  licenseId: true,
  kid: true,
  fingerprint: true,
  encrypted: true,
  issuedAt: true,
  expiresAt: true,
  issuedBy: true,
  sha256: true,
} satisfies Prisma.OfflineIssuanceSelect;

export const ZOfflineIssuanceDto = z.object({
  /** also the file's id (`id` in its payload) */
  id: z.string(),
  licenseId: z.string(),
  /** the signing key's id */
  kid: z.string(),
  /** the machine the file is bound to, or null */
  fingerprint: z.string().nullable(),
  encrypted: z.boolean(),
  issuedAt: z.date(),
  expiresAt: z.date(),
  /** the admin or API key that checked it out, as in the audit log */
  issuedBy: z.string(),
  /** SHA-256 (hex) of the file's text, to recognize a file shown later */
  sha256: z.string(),
});
export type OfflineIssuanceDto = z.infer<typeof ZOfflineIssuanceDto>;
