import { z } from "zod";
import type { Prisma } from "../../db/client.ts";

export const releaseSelect = {
  id: true,
  productId: true,
  version: true,
  releasedAt: true,
  notes: true,
  createdAt: true,
} satisfies Prisma.ReleaseSelect;

type ReleaseRow = Prisma.ReleaseGetPayload<{ select: typeof releaseSelect }>;

export const ZReleaseDto = z.object({
  id: z.string(),
  productId: z.string(),
  version: z.string(),
  releasedAt: z.date(),
  notes: z.string(),
  createdAt: z.date(),
});
export type ReleaseDto = z.infer<typeof ZReleaseDto>;

export const toReleaseDto = (row: ReleaseRow): ReleaseDto => ({ ...row });
