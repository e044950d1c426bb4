import { z } from "zod";
import type { Prisma } from "../../db/client.ts";

export const groupSelect = {
  id: true,
  name: true,
  description: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { customers: true, admins: true } },
} satisfies Prisma.GroupSelect;

export type GroupRow = Prisma.GroupGetPayload<{ select: typeof groupSelect }>;

export const ZGroupDto = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  customerCount: z.number().int(),
  adminCount: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type GroupDto = z.infer<typeof ZGroupDto>;

export function toGroupDto(row: GroupRow): GroupDto {
  const { _count, ...rest } = row;
  return { ...rest, customerCount: _count.customers, adminCount: _count.admins };
}
