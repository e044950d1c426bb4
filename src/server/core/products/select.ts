import { z } from "zod";
import type { Prisma } from "../../db/client.ts";

export const productSelect = {
  id: true,
  code: true,
  name: true,
  description: true,
  archivedAt: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { features: true, licenses: true } },
} satisfies Prisma.ProductSelect;

type ProductRow = Prisma.ProductGetPayload<{ select: typeof productSelect }>;

export const ZProductDto = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  description: z.string(),
  archivedAt: z.date().nullable(),
  featureCount: z.number().int(),
  licenseCount: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type ProductDto = z.infer<typeof ZProductDto>;

export function toProductDto(row: ProductRow): ProductDto {
  const { _count, ...rest } = row;
  return { ...rest, featureCount: _count.features, licenseCount: _count.licenses };
}
