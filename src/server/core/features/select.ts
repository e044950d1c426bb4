import { z } from "zod";
import type { Prisma } from "../../db/client.ts";

export const FEATURE_KINDS = ["boolean", "metered"] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

export const featureSelect = {
  id: true,
  productId: true,
  code: true,
  name: true,
  description: true,
  kind: true,
  unit: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.FeatureSelect;

type FeatureRow = Prisma.FeatureGetPayload<{ select: typeof featureSelect }>;

export const ZFeatureDto = z.object({
  id: z.string(),
  productId: z.string(),
  code: z.string(),
  name: z.string(),
  description: z.string(),
  kind: z.enum(FEATURE_KINDS),
  unit: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type FeatureDto = z.infer<typeof ZFeatureDto>;

export const toFeatureDto = (row: FeatureRow): FeatureDto => ({ ...row, kind: row.kind as FeatureKind });
