import type { Prisma } from "../../../generated/prisma-sqlite/client.ts";

export const groupSelect = {
  id: true,
  name: true,
  description: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { customers: true, admins: true } },
} satisfies Prisma.GroupSelect;

export type GroupRow = Prisma.GroupGetPayload<{ select: typeof groupSelect }>;

export interface GroupDto {
  id: string;
  name: string;
  description: string;
  customerCount: number;
  adminCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export function toGroupDto(row: GroupRow): GroupDto {
  const { _count, ...rest } = row;
  return { ...rest, customerCount: _count.customers, adminCount: _count.admins };
}
