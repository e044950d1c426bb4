import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { forbidden } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZPagination, ZQueryBoolean, type Page } from "../shared/schemas.ts";
import { readSettings } from "../settings/settings.ts";
import { apiKeySelect, toApiKeyDto, type ApiKeyDto } from "./select.ts";

export const ZListApiKeysInput = z.object({
  includeRevoked: ZQueryBoolean.default(false),
  /** super_admin: every admin's keys */
  all: ZQueryBoolean.default(false),
  ...ZPagination,
});
export type TListApiKeysInput = z.input<typeof ZListApiKeysInput>;

/** The caller's own keys (super_admin may list everyone's); `blockedReason` says why one is refused. */
export async function listApiKeys(
  ctx: DomainContext,
  input: TListApiKeysInput = {},
): Promise<Page<ApiKeyDto>> {
  requirePermission(ctx.actor, "api_key.manage");
  const { includeRevoked, all, page, pageSize } = parseInput(ZListApiKeysInput, input);
  if (all && ctx.actor.role !== "super_admin")
    throw forbidden("only a super admin can list every admin's keys");
  if (!all && ctx.actor.type !== "admin") throw forbidden("only a signed-in admin has API keys");
  const where: Prisma.ApiKeyWhereInput = {
    ...(all ? {} : { createdById: ctx.actor.id ?? "" }),
    ...(includeRevoked ? {} : { revokedAt: null }),
  };
  const [rows, total, settings] = await Promise.all([
    ctx.db.apiKey.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: apiKeySelect,
    }),
    ctx.db.apiKey.count({ where }),
    readSettings(ctx.db),
  ]);
  return { items: rows.map((row) => toApiKeyDto(row, settings)), total, page, pageSize };
}
