// The bulk change's input and answer, free of server code: the admin UI's bulk toolbar uses them.
import { z } from "zod";
import { ZId } from "../shared/schemas.ts";
import { ZRenewLicenseInput, ZSuspendLicenseInput } from "./schemas.ts";
import { LICENSE_STATUSES } from "./status.ts";

/** The most licenses one bulk call changes (all in one transaction). */
export const MAX_BULK_LICENSES = 500;

export const BULK_ACTIONS = ["suspend", "reinstate", "renew"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export const ZBulkChangeLicensesInput = z
  .object({
    action: z.enum(BULK_ACTIONS),
    /** the licenses to change; an id listed twice counts once */
    ids: z
      .array(ZId)
      .min(1, "select at least one license")
      .max(MAX_BULK_LICENSES, `at most ${MAX_BULK_LICENSES} licenses per call`),
    /** suspend only: why (kept on each license) */
    reason: ZSuspendLicenseInput.shape.reason,
    /** renew only: a new expiry for every license (null: perpetual) */
    expiresAt: ZRenewLicenseInput.shape.expiresAt,
    /** renew only: or extend each license from its own expiry (from now, if already past) */
    extendDays: ZRenewLicenseInput.shape.extendDays,
  })
  .superRefine((value, ctx) => {
    if (value.action === "renew") {
      if ((value.expiresAt === undefined) === (value.extendDays === undefined)) {
        ctx.addIssue({
          code: "custom",
          path: ["extendDays"],
          message: "give either expiresAt or extendDays to renew",
        });
      }
    } else {
      for (const field of ["expiresAt", "extendDays"] as const) {
        if (value[field] !== undefined) {
          ctx.addIssue({ code: "custom", path: [field], message: `only renew takes ${field}` });
        }
      }
    }
    if (value.action !== "suspend" && value.reason !== undefined) {
      ctx.addIssue({ code: "custom", path: ["reason"], message: "only suspend takes a reason" });
    }
  });
export type TBulkChangeLicensesInput = z.input<typeof ZBulkChangeLicensesInput>;

export const ZBulkChangeResult = z.object({
  action: z.enum(BULK_ACTIONS),
  /** the licenses changed, in the order given */
  applied: z.array(z.object({ id: z.string(), key: z.string(), status: z.enum(LICENSE_STATUSES) })),
  /** the licenses left as they were, each with the reason (not found covers out of your groups) */
  refused: z.array(
    z.object({
      id: z.string(),
      /** null when the license was not found (or is not in your groups) */
      key: z.string().nullable(),
      code: z.string(),
      reason: z.string(),
    }),
  ),
});
export type BulkChangeResult = z.infer<typeof ZBulkChangeResult>;
