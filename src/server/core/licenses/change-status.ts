// The shared path of every license status change: scope check, the rule for the current status,
// the write, open sessions ended where the license stops granting, one audit event, and the
// events (docs/events.md): the change's own, then a session.ended per session it ended.
import type { Prisma, Tx } from "../../db/client.ts";
import { requirePermission, type Permission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition } from "../errors.ts";
import { licenseEventData, sessionEventData, sessionEventSelect } from "../events/payloads.ts";
import type { EventType } from "../events/schemas.ts";
import { mutate, type MutationScope } from "../shared/mutate.ts";
import { findLicenseInScope, type ScopedLicense } from "./find-license.ts";
import { licenseSelect, toLicenseDto, type LicenseDto } from "./select.ts";
import { effectiveStatus, type LicenseStatus } from "./status.ts";

export interface StatusChange {
  permission: Permission;
  action: string;
  /** effective statuses the change may start from */
  from: readonly LicenseStatus[];
  /** what the change writes, given the license and the time */
  data(license: ScopedLicense, now: Date): Prisma.LicenseUpdateInput;
  /** ends the license's open sessions with this reason */
  endSessions?: string;
  summary?: Record<string, unknown>;
  /**
   * The change's event: its type and data besides `license` (the license after the change);
   * null: none (the change changed nothing integrators see)
   */
  event?: (license: ScopedLicense) => { type: EventType; data: Record<string, unknown> } | null;
}

export async function changeLicenseStatus(
  ctx: DomainContext,
  id: string,
  change: StatusChange,
): Promise<LicenseDto> {
  requirePermission(ctx.actor, change.permission);
  return mutate(ctx, (scope) => applyStatusChange(ctx, scope, id, change));
}

/**
 * One license's change inside a running mutation (the caller checked the permission):
 * changeLicenseStatus runs it alone, bulkChangeLicenses for each license of a batch.
 * `extraSummary` goes into the audit record (`{ bulk: true }`).
 */
export async function applyStatusChange(
  ctx: DomainContext,
  { tx, now, audit, emit }: MutationScope,
  id: string,
  change: StatusChange,
  extraSummary: Record<string, unknown> = {},
): Promise<LicenseDto> {
  // PostgreSQL: lock the row before reading its status, so that two changes at once (two bulk
  // calls, or a bulk and a single one) apply once; SQLite's mutate holds the write lock already
  if (ctx.provider === "postgresql")
    await tx.$queryRaw`SELECT "id" FROM "License" WHERE "id" = ${id} FOR UPDATE`;
  const license = await findLicenseInScope(tx, ctx.actor, id);
  const current = effectiveStatus(license, now);
  if (!change.from.includes(current)) {
    throw failedPrecondition(
      `the license is ${current}; ${change.action.replace("license.", "")} needs it to be ${change.from.join(" or ")}`,
    );
  }
  const data = change.data(license, now);
  const updated = await tx.license.update({ where: { id }, data, select: licenseSelect });
  let sessionsEnded = 0;
  let endedSessions: Awaited<ReturnType<typeof openSessions>> = [];
  if (change.endSessions) {
    // the license row is locked by the update: no session starts in between
    endedSessions = await openSessions(tx, id);
    const ended = await tx.session.updateMany({
      where: { licenseId: id, endedAt: null },
      data: { endedAt: now, endReason: change.endSessions },
    });
    sessionsEnded = ended.count;
  }
  audit({
    action: change.action,
    targetType: "license",
    targetId: id,
    summary: {
      from: current,
      to: effectiveStatus(updated, now),
      set: data,
      ...change.summary,
      ...(sessionsEnded ? { sessionsEnded } : {}),
      ...extraSummary,
    },
  });
  const event = change.event?.(license);
  if (event || endedSessions.length > 0) {
    const payload = await licenseEventData(tx, id, now);
    if (event) emit({ type: event.type, licenseId: id, data: { license: payload, ...event.data } });
    for (const session of endedSessions) {
      emit({
        type: "session.ended",
        licenseId: id,
        data: {
          license: payload,
          session: sessionEventData({ ...session, endedAt: now }, true),
          reason: change.endSessions,
        },
      });
    }
  }
  return toLicenseDto(updated, now);
}

function openSessions(tx: Tx, licenseId: string) {
  return tx.session.findMany({
    where: { licenseId, endedAt: null },
    orderBy: [{ startedAt: "asc" }, { id: "asc" }],
    select: sessionEventSelect,
  });
}
