import type { Prisma } from "../../../generated/prisma-sqlite/client.ts";

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
export type FeatureDto = Omit<FeatureRow, "kind"> & { kind: FeatureKind };

export const toFeatureDto = (row: FeatureRow): FeatureDto => ({ ...row, kind: row.kind as FeatureKind });
