// The offline file's validity, free of server code: the offline-file dialog checks it as the
// server does, with the same words ("at most 365 days; this license allows at most 30 days").
import { z } from "zod";
import { inUnits, offlineDaysMessage } from "../shared/messages.ts";

/** The format's limit; a license's allowance is capped at it too. */
export const MAX_OFFLINE_DAYS = 365;

/** An offline file's validity in days, as the format allows it. */
export const ZLicenseFileDays = inUnits(z.number().int().min(1).max(MAX_OFFLINE_DAYS), "day");

/**
 * An offline file's validity for a license allowing `allowance` days: the message of a value
 * beyond it names both limits (the format's and the license's) when both are broken.
 */
export function licenseFileDaysFor(allowance: number) {
  const cap = Math.min(allowance, MAX_OFFLINE_DAYS);
  return inUnits(
    z
      .number()
      .int()
      .min(1)
      .max(cap, {
        error: (issue) => offlineDaysMessage(Number(issue.input), allowance, MAX_OFFLINE_DAYS),
      }),
    "day",
  );
}

/** The offline-file dialog's days, checked against the license's allowance. */
export const licenseFileInputFor = (allowance: number) =>
  z.object({ days: licenseFileDaysFor(allowance).optional() });
