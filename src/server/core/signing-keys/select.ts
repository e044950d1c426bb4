import { z } from "zod";
import type { Prisma } from "../../db/client.ts";

export const SIGNING_KEY_STATUSES = ["active", "published", "retired"] as const;

/** Public parts only: the encrypted private key never leaves the domain. */
export const signingKeySelect = {
  id: true,
  kid: true,
  algorithm: true,
  publicKeyPem: true,
  status: true,
  createdAt: true,
  activatedAt: true,
  retiredAt: true,
} satisfies Prisma.SigningKeySelect;

export const ZSigningKeyDto = z.object({
  id: z.string(),
  kid: z.string(),
  algorithm: z.string(),
  publicKeyPem: z.string(),
  /** active: signs new files and tokens; published: verifies only; retired: gone from the keyring */
  status: z.enum(SIGNING_KEY_STATUSES),
  createdAt: z.date(),
  activatedAt: z.date().nullable(),
  retiredAt: z.date().nullable(),
});
export type SigningKeyDto = z.infer<typeof ZSigningKeyDto>;

export const toSigningKeyDto = (
  row: Prisma.SigningKeyGetPayload<{ select: typeof signingKeySelect }>,
): SigningKeyDto => ({
  ...row,
  status: row.status as SigningKeyDto["status"],
});
