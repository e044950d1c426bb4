import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { parseMetadata, ZMetadataOut } from "../shared/schemas.ts";
import { SESSION_END_REASONS } from "./session-rules.ts";

export const sessionSelect = {
  id: true,
  licenseId: true,
  fingerprint: true,
  hostname: true,
  clientVersion: true,
  ip: true,
  metadata: true,
  startedAt: true,
  lastHeartbeatAt: true,
  deadlineAt: true,
  endedAt: true,
  endReason: true,
  graceUntil: true,
} satisfies Prisma.SessionSelect;

type SessionRow = Prisma.SessionGetPayload<{ select: typeof sessionSelect }>;

export const ZSessionDto = z.object({
  id: z.string(),
  licenseId: z.string(),
  fingerprint: z.string(),
  hostname: z.string(),
  clientVersion: z.string(),
  ip: z.string().nullable(),
  metadata: ZMetadataOut,
  startedAt: z.date(),
  lastHeartbeatAt: z.date(),
  deadlineAt: z.date(),
  endedAt: z.date().nullable(),
  endReason: z.enum(SESSION_END_REASONS).nullable(),
  /**
   * floating licenses: the seat stays held until then, ended or not (the expiry of the last grace
   * token issued for the session, or a little later); null once deactivated or for node-locked
   */
  graceUntil: z.date().nullable(),
  /**
   * live: heartbeats on time; late: open but past its deadline (the reaper ends it after the
   * tolerance); held: ended, but the machine may run offline on its grace token until
   * `graceUntil`, so its seat stays taken until then; ended: holds no seat
   */
  state: z.enum(["live", "late", "held", "ended"]),
});
export type SessionDto = z.infer<typeof ZSessionDto>;

export function toSessionDto(row: SessionRow, now: Date): SessionDto {
  return {
    ...row,
    metadata: parseMetadata(row.metadata),
    endReason: row.endReason as SessionDto["endReason"],
    state: row.endedAt
      ? row.graceUntil && row.graceUntil > now
        ? "held"
        : "ended"
      : row.deadlineAt < now
        ? "late"
        : "live",
  };
}
