import type { Prisma } from "../../../generated/prisma-sqlite/client.ts";

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

export interface ProductDto {
  id: string;
  code: string;
  name: string;
  description: string;
  archivedAt: Date | null;
  featureCount: number;
  licenseCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export function toProductDto(row: ProductRow): ProductDto {
  const { _count, ...rest } = row;
  return { ...rest, featureCount: _count.features, licenseCount: _count.licenses };
}
