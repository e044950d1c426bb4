import type { Prisma } from "../../db/client.ts";
import { groupScope, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZListEventsInput, type EventDto, type TListEventsInput } from "../webhooks/schemas.ts";

/** The largest feed position the database holds (seq is a 32-bit integer column). */
const MAX_SEQ = 2_147_483_647;

const eventSelect = {
  id: true,
  seq: true,
  type: true,
  version: true,
  at: true,
  licenseId: true,
  groupId: true,
  data: true,
} satisfies Prisma.EventSelect;

function parseData(text: string): EventDto["data"] {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as EventDto["data"]) : {};
  } catch {
    return {};
  }
}

/**
 * The event feed: events after the cursor in feed order (positions are taken in commit order, so
 * a page never shows an event before an earlier one that a later page would), at most `limit`.
 * Super admins read every event; everyone else only their groups' (not catalogue-wide ones).
 * Test events are never in the feed.
 */
export async function listEvents(
  ctx: DomainContext,
  input: TListEventsInput,
): Promise<{ events: EventDto[]; nextCursor: string; hasMore: boolean }> {
  requirePermission(ctx.actor, "event.read");
  const { after, limit, type, licenseId } = parseInput(ZListEventsInput, input);
  const cursor = after === undefined ? 0n : BigInt(after);
  const groupIds = groupScope(ctx.actor);
  const where: Prisma.EventWhereInput = {
    seq: { gt: cursor > BigInt(MAX_SEQ) ? MAX_SEQ : Number(cursor) },
    type: type === undefined ? { not: "webhook.test" } : type === "webhook.test" ? { in: [] } : type,
    ...(licenseId !== undefined ? { licenseId } : {}),
    ...(groupIds ? { groupId: groupIds } : {}),
  };
  const rows = await ctx.db.event.findMany({
    where,
    orderBy: { seq: "asc" },
    take: limit + 1,
    select: eventSelect,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    events: page.map((row) => ({
      id: row.id,
      sequence: row.seq,
      type: row.type,
      version: row.version,
      timestamp: row.at,
      licenseId: row.licenseId,
      groupId: row.groupId,
      data: parseData(row.data),
    })),
    nextCursor: last ? String(last.seq) : cursor.toString(),
    hasMore: rows.length > limit,
  };
}
