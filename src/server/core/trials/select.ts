// What the admin API shows of a trial, and the rule that gives a trial its status.
import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { parseComponents } from "../machines/component-match.ts";
import { TRIAL_CONVERTED_BY, TRIAL_STATUSES, type TrialConvertedBy, type TrialStatus } from "./schemas.ts";

export const trialSelect = {
  id: true,
  fingerprint: true,
  components: true,
  hostname: true,
  ip: true,
  startedAt: true,
  expiresAt: true,
  convertedAt: true,
  convertedBy: true,
  convertedLicenseId: true,
  product: { select: { id: true, code: true, name: true } },
  policy: { select: { id: true, name: true } },
  license: {
    select: {
      id: true,
      key: true,
      trial: true,
      customer: { select: { id: true, name: true, groupId: true } },
    },
  },
} satisfies Prisma.TrialSelect;

type TrialRow = Prisma.TrialGetPayload<{ select: typeof trialSelect }>;

export const ZTrialDto = z.object({
  id: z.string(),
  status: z.enum(TRIAL_STATUSES),
  product: z.object({ id: z.string(), code: z.string(), name: z.string() }),
  policy: z.object({ id: z.string(), name: z.string() }),
  licenseId: z.string(),
  licenseKey: z.string(),
  /** the trial license's customer: the trial customer, or the paying one after an admin converted it */
  customer: z.object({ id: z.string(), name: z.string() }),
  fingerprint: z.string(),
  /** the component kinds the machine sent (their hashes are not shown) */
  componentKinds: z.array(z.string()),
  hostname: z.string(),
  ip: z.string().nullable(),
  startedAt: z.date(),
  expiresAt: z.date().nullable(),
  convertedAt: z.date().nullable(),
  convertedBy: z.enum(TRIAL_CONVERTED_BY).nullable(),
  convertedLicenseId: z.string().nullable(),
});
export type TrialDto = z.infer<typeof ZTrialDto>;

export function trialStatus(
  trial: { convertedAt: Date | null; expiresAt: Date | null },
  now: Date,
): TrialStatus {
  if (trial.convertedAt) return "converted";
  if (trial.expiresAt && trial.expiresAt <= now) return "expired";
  return "active";
}

/** The `where` fragment of trials in a status at `now` (the same rule as trialStatus). */
export function trialStatusWhere(status: TrialStatus, now: Date): Prisma.TrialWhereInput {
  switch (status) {
    case "converted":
      return { convertedAt: { not: null } };
    case "expired":
      return { convertedAt: null, expiresAt: { lte: now } };
    case "active":
      return { convertedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  }
}

export function toTrialDto(row: TrialRow, now: Date): TrialDto {
  return {
    id: row.id,
    status: trialStatus(row, now),
    product: row.product,
    policy: row.policy,
    licenseId: row.license.id,
    licenseKey: row.license.key,
    customer: { id: row.license.customer.id, name: row.license.customer.name },
    fingerprint: row.fingerprint,
    componentKinds: Object.keys(parseComponents(row.components)).sort(),
    hostname: row.hostname,
    ip: row.ip,
    startedAt: row.startedAt,
    expiresAt: row.expiresAt,
    convertedAt: row.convertedAt,
    convertedBy: row.convertedBy as TrialConvertedBy | null,
    convertedLicenseId: row.convertedLicenseId,
  };
}
