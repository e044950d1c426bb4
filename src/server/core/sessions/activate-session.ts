import { z } from "zod";
import type { LicenseStatusCode } from "@license-server/sdk/offline";
import { asDomainContext, clientActor, type LicensingContext } from "../validation/licensing-context.ts";
import {
  disclosable,
  entitlementViews,
  findClientLicense,
  graceFor,
  licenseVerdict,
  licenseView,
  lockLicense,
  type EntitlementView,
  type GraceGrant,
  type LicenseView,
  type Standing,
  type Verdict,
} from "../validation/client-license.ts";
import { checkIn } from "../validation/check-in.ts";
import { firstActivation } from "../validation/first-activation.ts";
import { bindMachine } from "../machines/machine-binding.ts";
import { convertTrialOnKeyEntered } from "../trials/convert-trial.ts";
import { noControlCharacters, noNulCharacter, ZClientRequest } from "../validation/schemas.ts";
import { licenseEventData, sessionEventData, sessionEventSelect } from "../events/payloads.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { holdFor, holdsSeatOffline, tokenExpiry } from "./seat-hold.ts";
import { allowedSeats, notifyOverage, seatsExhaustedMessage } from "./overage.ts";
import { deadCutoff, endSessions, liveSessionWhere, nextDeadline, seatHolderWhere } from "./session-rules.ts";

const ZSessionMetadata = z
  .record(
    z
      .string()
      .max(64)
      .refine(...noControlCharacters),
    z
      .string()
      .max(512)
      .refine(...noNulCharacter),
  )
  .refine((value) => Object.keys(value).length <= 32, "at most 32 entries")
  .default({});

export const ZActivateSessionInput = ZClientRequest.extend({ metadata: ZSessionMetadata });
export type TActivateSessionInput = z.input<typeof ZActivateSessionInput>;

export interface ActivateAnswer {
  status: LicenseStatusCode;
  message: string;
  serverTime: Date;
  sessionId: string | null;
  /** the machine's open session was returned instead of a new seat */
  resumed: boolean;
  heartbeatDeadline: Date | null;
  license: LicenseView | null;
  entitlements: EntitlementView[];
  grace: GraceGrant | null;
  /** VALID answers only */
  standing: Standing | null;
}

/**
 * Takes a seat: a session with a heartbeat deadline. The seat limit holds under concurrent
 * activations (the license is locked while seats are counted, on both databases and across
 * instances); the same machine gets its open session back. Seats are held by live sessions and
 * (floating) by the grace tokens issued for sessions, ended or not (session-rules.ts); the
 * machine coming back replaces its own old hold instead of taking a second seat.
 */
export async function activateSession(
  ctx: LicensingContext,
  input: TActivateSessionInput,
): Promise<ActivateAnswer> {
  const { licenseKey, client, metadata } = parseInput(ZActivateSessionInput, input);
  const now = ctx.clock.now();
  const refused = (status: LicenseStatusCode, message: string, view: LicenseView | null): ActivateAnswer => ({
    status,
    message,
    serverTime: now,
    sessionId: null,
    resumed: false,
    heartbeatDeadline: null,
    license: view,
    entitlements: [],
    grace: null,
    standing: null,
  });

  const license = await findClientLicense(ctx.reads, licenseKey, now);
  const verdict = await licenseVerdict(ctx, license, client, now);
  if (!license || !disclosable(verdict)) return refused(verdict.status, verdict.message, null);
  const view = licenseView(license);
  if (verdict.status !== "VALID") return refused(verdict.status, verdict.message, view);

  const tolerance = ctx.heartbeatToleranceSeconds;
  // seats are counted from stored deadlines: write this process's pending heartbeats first
  await ctx.heartbeats.flush();
  const deadline = nextDeadline(now, license.heartbeatIntervalSeconds);
  // the answer's grace token, covered by the hold stored in the same transaction (floating)
  const hold = holdsSeatOffline(license) ? holdFor(license, tokenExpiry(license, now)) : null;
  type Outcome =
    | { refusal: Verdict }
    | { sessionId: string; resumed: boolean; seatsInUse: number; machineUpdated: boolean };
  const outcome = await mutate<Outcome>(
    asDomainContext(ctx, clientActor(license.id, client.fingerprint)),
    async ({ tx, audit, emit }) => {
      await lockLicense(tx, ctx.provider, license.id);
      let machineUpdated = false;
      if (license.type === "node_locked") {
        const machine = await bindMachine(tx, license, client, now, { audit, emit });
        if (machine.status !== "VALID") return { refusal: machine };
        machineUpdated = machine.machineUpdated === true;
      }
      // seats held by other machines (this machine's own earlier holds do not count: see below)
      const othersTaking = () =>
        tx.session.count({
          where: {
            licenseId: license.id,
            fingerprint: { not: client.fingerprint },
            ...seatHolderWhere(now, tolerance),
          },
        });
      const own = await tx.session.findFirst({
        where: {
          licenseId: license.id,
          fingerprint: client.fingerprint,
          ...liveSessionWhere(now, tolerance),
        },
        orderBy: { startedAt: "desc" },
        select: { id: true, graceUntil: true },
      });
      if (own) {
        const raise = hold && (!own.graceUntil || own.graceUntil < hold) ? { graceUntil: hold } : {};
        await tx.session.update({
          where: { id: own.id },
          data: { lastHeartbeatAt: now, deadlineAt: deadline, ...raise },
          select: { id: true },
        });
        return { sessionId: own.id, resumed: true, seatsInUse: (await othersTaking()) + 1, machineUpdated };
      }
      // Sessions past their deadline end now rather than wait for the reaper (their grace
      // tokens' holds, if any, still count below).
      const dead = await tx.session.findMany({
        where: { licenseId: license.id, endedAt: null, deadlineAt: { lt: deadCutoff(now, tolerance) } },
        select: { id: true, licenseId: true, fingerprint: true },
      });
      await endSessions(tx, dead, "heartbeat_dead", now, { audit, emit });
      // This machine's own earlier holds (a session reaped or ended while it ran offline) do not
      // count: the new session replaces them, so one machine takes one seat.
      const taken = await othersTaking();
      // floating licenses with an overage level may go beyond seatLimit (overage.ts)
      const allowed = allowedSeats(license);
      if (taken >= allowed) {
        return { refusal: { status: "SEAT_LIMIT_REACHED", message: seatsExhaustedMessage(license) } };
      }
      // Replaced only now: a refused machine may still be running on those holds' tokens.
      const { count: replacedHolds } = await tx.session.updateMany({
        where: { licenseId: license.id, fingerprint: client.fingerprint, graceUntil: { gt: now } },
        data: { graceUntil: null },
      });
      const session = await tx.session.create({
        data: {
          licenseId: license.id,
          fingerprint: client.fingerprint,
          hostname: client.hostname,
          clientVersion: client.clientVersion,
          ip: ctx.ip ?? null,
          metadata: JSON.stringify(metadata),
          startedAt: now,
          lastHeartbeatAt: now,
          deadlineAt: deadline,
          graceUntil: hold,
        },
        select: sessionEventSelect,
      });
      audit({
        action: "session.start",
        targetType: "session",
        targetId: session.id,
        summary: {
          licenseId: license.id,
          fingerprint: client.fingerprint,
          hostname: client.hostname,
          clientVersion: client.clientVersion,
          seatsTaken: taken + 1,
          seatLimit: license.seatLimit,
          ...(replacedHolds > 0 ? { replacedHolds } : {}),
        },
      });
      // a paid key entered on a machine that had the product's trial converts the trial
      // (node-locked licenses: when the machine is bound, in bindMachine)
      if (license.type !== "node_locked") {
        await convertTrialOnKeyEntered(tx, license, client.fingerprint, now, { audit, emit });
      }
      const seatsInUse = taken + 1;
      const payload = await licenseEventData(tx, license.id, now);
      emit({
        type: "session.started",
        licenseId: license.id,
        data: { license: payload, session: sessionEventData(session, false) },
      });
      // floating: this session took the last seat (once per crossing: from limit - 1 to limit; a
      // seat beyond it, overage, does not send it again). Node-locked: bindMachine tells of machines.
      if (license.type === "floating" && seatsInUse === license.seatLimit) {
        emit({
          type: "license.seat_limit_reached",
          licenseId: license.id,
          data: { license: payload, seatLimit: license.seatLimit, seatsUsed: seatsInUse, by: "session" },
        });
      }
      if (seatsInUse > license.seatLimit) {
        audit({
          action: "license.overage",
          targetType: "license",
          targetId: license.id,
          summary: {
            sessionId: session.id,
            fingerprint: client.fingerprint,
            seatsInUse,
            seatLimit: license.seatLimit,
            overage: license.overage,
            // null: no cap ("always")
            allowed: Number.isFinite(allowed) ? allowed : null,
          },
        });
      }
      return { sessionId: session.id, resumed: false, seatsInUse, machineUpdated };
    },
  );
  if ("refusal" in outcome) return refused(outcome.refusal.status, outcome.refusal.message, view);
  const activated = await firstActivation(ctx, license, client.fingerprint, now);
  const overage = outcome.seatsInUse > license.seatLimit;
  if (overage && !outcome.resumed) {
    notifyOverage({
      licenseId: license.id,
      productCode: license.product.code,
      seatsInUse: outcome.seatsInUse,
      seatLimit: license.seatLimit,
    });
  }
  return {
    status: "VALID",
    message: `${outcome.resumed ? "the machine's open session resumed" : "session started"}${verdict.expired ? `; ${verdict.message}` : ""}`,
    serverTime: now,
    sessionId: outcome.sessionId,
    resumed: outcome.resumed,
    heartbeatDeadline: deadline,
    license: activated === license ? view : licenseView(activated),
    entitlements: await entitlementViews(ctx.reads, license, now),
    grace: await graceFor(
      ctx,
      activated,
      licenseKey,
      client.fingerprint,
      now,
      outcome.sessionId,
      verdict.coveredVersion,
    ),
    standing: {
      ...(await checkIn(ctx, license, now)),
      expired: verdict.expired === true,
      overage,
      seatsInUse: outcome.seatsInUse,
      machineUpdated: outcome.machineUpdated,
    },
  };
}
