import type { Prisma } from "../../../generated/prisma-sqlite/client.ts";
import { parseMetadata, type TMetadata } from "../shared/schemas.ts";

export const customerSelect = {
  id: true,
  name: true,
  email: true,
  company: true,
  notes: true,
  groupId: true,
  group: { select: { name: true } },
  metadata: true,
  archivedAt: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { licenses: true } },
} satisfies Prisma.CustomerSelect;

type CustomerRow = Prisma.CustomerGetPayload<{ select: typeof customerSelect }>;

export interface CustomerDto {
  id: string;
  name: string;
  email: string | null;
  company: string;
  notes: string;
  groupId: string;
  groupName: string;
  metadata: TMetadata;
  archivedAt: Date | null;
  licenseCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export function toCustomerDto(row: CustomerRow): CustomerDto {
  const { _count, group, metadata, ...rest } = row;
  return { ...rest, groupName: group.name, metadata: parseMetadata(metadata), licenseCount: _count.licenses };
}
