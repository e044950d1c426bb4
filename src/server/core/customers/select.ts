import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { parseMetadata, ZMetadataOut } from "../shared/schemas.ts";

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

export const ZCustomerDto = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  company: z.string(),
  notes: z.string(),
  groupId: z.string(),
  groupName: z.string(),
  metadata: ZMetadataOut,
  archivedAt: z.date().nullable(),
  licenseCount: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type CustomerDto = z.infer<typeof ZCustomerDto>;

export function toCustomerDto(row: CustomerRow): CustomerDto {
  const { _count, group, metadata, ...rest } = row;
  return { ...rest, groupName: group.name, metadata: parseMetadata(metadata), licenseCount: _count.licenses };
}
