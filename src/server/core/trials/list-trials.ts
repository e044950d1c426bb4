import type { Prisma } from "../../db/client.ts";
import { groupScope, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import type { Page } from "../shared/schemas.ts";
import { ZListTrialsInput, type TListTrialsInput } from "./schemas.ts";
import { toTrialDto, trialSelect, trialStatusWhere, type TrialDto } from "./select.ts";

/** Trials, newest first, of the licenses in the caller's groups; by product and status. */
export async function listTrials(ctx: DomainContext, input: TListTrialsInput = {}): Promise<Page<TrialDto>> {
  requirePermission(ctx.actor, "trial.read");
  const { productId, status, page, pageSize } = parseInput(ZListTrialsInput, input);
  const now = ctx.clock.now();
  const groupId = groupScope(ctx.actor);
  const where: Prisma.TrialWhereInput = {
    ...(productId ? { productId } : {}),
    ...(groupId ? { license: { customer: { groupId } } } : {}),
    ...(status ? trialStatusWhere(status, now) : {}),
  };
  const [rows, total] = await Promise.all([
    ctx.db.trial.findMany({
      where,
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: trialSelect,
    }),
    ctx.db.trial.count({ where }),
  ]);
  return { items: rows.map((row) => toTrialDto(row, now)), total, page, pageSize };
}
