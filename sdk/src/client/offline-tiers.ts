// The license client's offline tiers and what they keep from online answers: the clock guard (a
// high-water mark of signed times; a clock set back beyond the tolerance is CLOCK_TAMPERED), the
// `.lic` file, the grace token (verified before it is kept and again when it decides) and the watch
// on the grace period's end. Part of LicenseClient (see sdk/src/client/README.md).
import type { Standing, StatusCode } from "../generated/proto/license/v1/license.ts";
import { verifyGraceToken } from "../grace-token.ts";
import { verifyLicenseFile } from "../license-file.ts";
import { versionCovered } from "../version-coverage.ts";
import { MAX_TIMER_MS, type SharedClientState } from "./shared-state.ts";
import { entitlementInfo, fromLicenseFile, licenseDetails, reviveDates, statusName } from "./convert.ts";
import type { EntitlementInfo, LicenseDetails, ValidationResult } from "./types.ts";

/** A verified online answer, as far as the result and the offline tiers need it. */
export interface OnlineAnswer {
  status: StatusCode;
  message: string;
  license?: Parameters<typeof licenseDetails>[0];
  entitlements: Parameters<typeof entitlementInfo>[0][];
  graceTokenExpiresAt?: Date | undefined;
  /** empty: none */
  graceToken: string;
  standing?: Standing | undefined;
}

export class OfflineTiers {
  private readonly ctx: SharedClientState;
  private graceTimer: NodeJS.Timeout | undefined;
  private graceWarned: string | undefined;

  constructor(ctx: SharedClientState) {
    this.ctx = ctx;
  }

  /**
   * A verified answer as the client's result; its signed server time raises the high-water mark.
   * A VALID one is remembered (with its grace token) for the offline tiers; a refusal drops both.
   */
  async acceptOnline(answer: OnlineAnswer, serverTime: Date): Promise<ValidationResult> {
    const status = statusName(answer.status);
    const checkedAt = serverTime;
    this.observe(checkedAt);
    const result: ValidationResult = {
      valid: status === "VALID",
      status,
      tier: "online",
      message: answer.message,
      license: licenseDetails(answer.license),
      entitlements: answer.entitlements.map(entitlementInfo),
      validUntil: status === "VALID" ? (answer.graceTokenExpiresAt ?? null) : null,
      nextCheckInAt: status === "VALID" ? (answer.standing?.nextCheckInAt ?? null) : null,
      ...(status === "VALID" && answer.standing?.expired ? { expired: true } : {}),
      ...(status === "VALID" && answer.standing?.overage ? { overage: true } : {}),
      checkedAt,
    };
    const { state } = this.ctx;
    if (result.valid) {
      await this.keepGraceToken(answer.graceToken, serverTime);
      state.lastOnline = {
        status: result.status,
        message: result.message,
        license: result.license,
        entitlements: result.entitlements,
        checkedAt: result.checkedAt.getTime(),
        ...(result.nextCheckInAt ? { nextCheckInAt: result.nextCheckInAt.getTime() } : {}),
      };
    } else {
      delete state.graceToken;
      delete state.lastOnline;
    }
    this.ctx.save();
    return result;
  }

  /**
   * Stores a grace token only when it verifies for this license, machine and product at the
   * server's signed time (a token that does not is dropped and reported, never kept).
   */
  async keepGraceToken(token: string, serverTime: Date): Promise<void> {
    if (!token) return;
    const { options } = this.ctx;
    const grace = await verifyGraceToken(token, options.publicKeys, {
      fingerprint: this.ctx.fingerprint,
      licenseKey: this.ctx.licenseKey,
      productCode: options.product,
      now: serverTime,
    });
    if (!grace.valid) {
      this.ctx.emit("error", {
        error: new Error(`the server's grace token does not verify (${grace.reason}): not kept`),
      });
      return;
    }
    this.ctx.state.graceToken = token;
  }

  /**
   * A verified VALID heartbeat's check-in deadline, kept with the last online result (the app
   * reads it from the saved state, e.g. to say "connect before …").
   */
  noteCheckIn(standing: Standing | undefined): void {
    const last = this.ctx.state.lastOnline;
    if (!last) return;
    const next = standing?.nextCheckInAt;
    if (next) last.nextCheckInAt = next.getTime();
    else delete last.nextCheckInAt;
  }

  /** Raises the clock's high-water mark: only ever with a verified, signed time. */
  observe(time: Date): void {
    const { state } = this.ctx;
    state.highWaterMs = Math.max(state.highWaterMs, time.getTime());
  }

  /** No verified answer: the offline tiers decide, the .lic file, then the grace token. */
  async decide(): Promise<ValidationResult> {
    const { options, state } = this.ctx;
    const now = this.ctx.now();
    const highWater = new Date(state.highWaterMs);
    const tolerance = options.clockToleranceMs ?? 600_000;
    if (now.getTime() < state.highWaterMs - tolerance) {
      this.ctx.emit("clock-tampered", { now, highWater });
      return invalidResult(
        "CLOCK_TAMPERED",
        `the clock reads ${now.toISOString()}, before ${highWater.toISOString()} seen earlier: offline validation refused`,
        this.ctx.now(),
      );
    }
    // a small step back within the tolerance buys nothing: check against the latest time seen.
    // Only signed times (answers, tokens, files) raise the mark, so a lying clock or server cannot.
    const at = new Date(Math.max(now.getTime(), state.highWaterMs));
    const keys = options.publicKeys;
    const reasons: string[] = [];
    let fileExpired = false;
    let graceExpired = false;
    /** the earliest check-in deadline a tier refused for (OVERDUE) */
    let overdueSince: Date | null = null;
    const overdue = (checkInBy: Date | undefined) => {
      if (checkInBy && (!overdueSince || checkInBy < overdueSince)) overdueSince = checkInBy;
    };

    if (options.licenseFile) {
      const file = await verifyLicenseFile(options.licenseFile, keys, {
        fingerprint: this.ctx.fingerprint,
        now: at,
        licenseKey: this.ctx.licenseKey,
        productCode: options.product,
      });
      if (file.valid) {
        this.raiseHighWater(new Date(file.payload.issuedAt));
        const { license, entitlements } = fromLicenseFile(file.payload);
        return {
          valid: true,
          status: "VALID",
          tier: "license_file",
          message: `valid offline: license file until ${file.expiresAt.toISOString()}`,
          license,
          entitlements,
          validUntil: file.expiresAt,
          nextCheckInAt: file.payload.checkInBy ? new Date(file.payload.checkInBy) : null,
          checkedAt: at,
        };
      }
      reasons.push(`license file: ${file.reason}`);
      if (file.reason === "EXPIRED") fileExpired = true;
      if (file.reason === "OVERDUE") overdue(file.checkInBy);
    }

    const token = state.graceToken;
    if (token) {
      const grace = await verifyGraceToken(token, keys, {
        fingerprint: this.ctx.fingerprint,
        licenseKey: this.ctx.licenseKey,
        productCode: options.product,
        now: at,
      });
      if (grace.valid) {
        if (grace.claims.iat !== undefined) this.raiseHighWater(new Date(grace.claims.iat * 1000));
        const { mxv } = grace.claims;
        const version = options.clientVersion ?? "";
        if (mxv !== undefined && !versionCovered(version, mxv)) {
          // the license has expired and covers only versions released before: not this one
          return invalidResult(
            "VERSION_NOT_COVERED",
            `the server is unreachable and the license, expired, covers versions up to ${mxv}: not ${version === "" ? "an unversioned client" : `version ${version}`}`,
            at,
          );
        }
        const cached = state.lastOnline ? reviveDates(state.lastOnline) : null;
        const granted = new Set(grace.claims.ent);
        const entitlements = ((cached?.entitlements ?? []) as EntitlementInfo[]).filter((e) =>
          granted.has(e.featureCode),
        );
        this.watchGrace(grace.expiresAt, at);
        return {
          valid: true,
          status: "VALID",
          tier: "grace",
          message: `the server is unreachable: running on the grace token until ${grace.expiresAt.toISOString()}`,
          license: (cached?.license ?? null) as LicenseDetails | null,
          entitlements,
          validUntil: grace.expiresAt,
          nextCheckInAt: grace.claims.nci === undefined ? null : new Date(grace.claims.nci * 1000),
          checkedAt: at,
        };
      }
      reasons.push(`grace token: ${grace.reason}`);
      if (grace.reason === "EXPIRED") graceExpired = true;
      if (grace.reason === "OVERDUE") overdue(grace.checkInBy);
    }
    // a missed check-in first: connecting is what the license requires now
    const dueBy = overdueSince as Date | null;
    if (dueBy) {
      const result = invalidResult(
        "OVERDUE",
        `the server is unreachable and a check-in with the license server was due by ${dueBy.toISOString()}${reasons.length > 1 ? ` (${reasons.join("; ")})` : ""}`,
        at,
      );
      this.ctx.emit("overdue", result);
      return result;
    }
    if (graceExpired) {
      const result = invalidResult("EXPIRED", "the server is unreachable and the grace period is over", at);
      this.ctx.emit("expired", result);
      return result;
    }
    if (fileExpired) {
      const result = invalidResult(
        "EXPIRED",
        `the server is unreachable and the license file has expired${reasons.length > 1 ? ` (${reasons.join("; ")})` : ""}`,
        at,
      );
      this.ctx.emit("expired", result);
      return result;
    }
    return invalidResult(
      "OFFLINE",
      `the server is unreachable and nothing offline holds${reasons.length ? ` (${reasons.join("; ")})` : ""}`,
      at,
    );
  }

  /** Stops the grace-expiry watch (stop()). */
  stopGraceWatch(): void {
    clearTimeout(this.graceTimer);
  }

  /**
   * Running on the grace token: "grace-started" on entering the tier, "grace-expiring" once per
   * token when little is left, and (while running) a timer that decides again at the warning and
   * at the end.
   */
  private watchGrace(expiresAt: Date, at: Date): void {
    const { options, state } = this.ctx;
    const remaining = expiresAt.getTime() - at.getTime();
    const license = state.lastOnline ? reviveDates(state.lastOnline).license : null;
    const graceMs = ((license as LicenseDetails | null)?.gracePeriodHours ?? 72) * 3_600_000;
    const warning = options.graceWarningMs ?? Math.min(12 * 3_600_000, graceMs / 4);
    const id = expiresAt.toISOString();
    if (this.ctx.last()?.tier !== "grace") this.ctx.emit("grace-started", { expiresAt });
    if (remaining <= warning && this.graceWarned !== id) {
      this.graceWarned = id;
      this.ctx.emit("grace-expiring", { expiresAt, remainingMs: remaining });
    }
    clearTimeout(this.graceTimer);
    if (!this.ctx.running()) return;
    const wakeIn = remaining > warning ? remaining - warning : remaining;
    this.graceTimer = setTimeout(
      () => {
        void this.decide().then((result) => this.ctx.publish(result));
      },
      Math.min(Math.max(wakeIn, 1000), MAX_TIMER_MS),
    );
    this.graceTimer.unref();
  }

  /** observe() for the offline tiers' signed times, saved at once. */
  private raiseHighWater(time: Date): void {
    if (time.getTime() <= this.ctx.state.highWaterMs) return;
    this.observe(time);
    this.ctx.save();
  }
}

/** A result no tier granted. */
export function invalidResult(
  status: ValidationResult["status"],
  message: string,
  at: Date,
): ValidationResult {
  return {
    valid: false,
    status,
    tier: "none",
    message,
    license: null,
    entitlements: [],
    validUntil: null,
    nextCheckInAt: null,
    checkedAt: at,
  };
}
