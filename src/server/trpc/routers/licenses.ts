import { z } from "zod";
import { bulkChangeLicenses } from "../../core/licenses/bulk-change-licenses.ts";
import { ZBulkChangeLicensesInput, ZBulkChangeResult } from "../../core/licenses/bulk-change-schemas.ts";
import { createLicense } from "../../core/licenses/create-license.ts";
import { issueLicenses } from "../../core/licenses/issue-licenses.ts";
import {
  ZCreateLicenseInput,
  ZIssueLicensesInput,
  ZRenewLicenseInput,
  ZRevokeLicenseInput,
  ZSuspendLicenseInput,
  ZUpdateLicenseInput,
} from "../../core/licenses/schemas.ts";
import { getLicense } from "../../core/licenses/get-license.ts";
import { listLicenses, ZListLicensesInput } from "../../core/licenses/list-licenses.ts";
import { reinstateLicense, ZReinstateLicenseInput } from "../../core/licenses/reinstate-license.ts";
import { renewLicense } from "../../core/licenses/renew-license.ts";
import { revokeLicense } from "../../core/licenses/revoke-license.ts";
import { ZLicenseDto } from "../../core/licenses/select.ts";
import { setEntitlements } from "../../core/licenses/set-entitlements.ts";
import { ZSetEntitlementsInput } from "../../core/licenses/schemas.ts";
import { suspendLicense } from "../../core/licenses/suspend-license.ts";
import { updateLicense } from "../../core/licenses/update-license.ts";
import { ZId, zPage } from "../../core/shared/schemas.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";

const ZIssuedLicenses = z.object({
  customerId: z.string(),
  policyId: z.string(),
  licenses: z.array(z.object({ id: z.string(), key: z.string() })),
});

export const licensesRouter = router({
  list: adminProcedure("license.read")
    .meta(rest("GET", "/licenses", "Licenses", "Filter, sort and page through licenses"))
    .input(ZListLicensesInput)
    .output(zPage(ZLicenseDto))
    .query(({ ctx, input }) => listLicenses(ctx.domain, input)),
  get: adminProcedure("license.read")
    .meta(rest("GET", "/licenses/{id}", "Licenses", "Get a license"))
    .input(z.object({ id: ZId }))
    .output(ZLicenseDto)
    .query(({ ctx, input }) => getLicense(ctx.domain, input)),
  getByKey: adminProcedure("license.read")
    .meta(rest("GET", "/licenses/by-key/{key}", "Licenses", "Find a license by its key"))
    .input(z.object({ key: z.string().trim().min(1).max(64) }))
    .output(ZLicenseDto)
    .query(({ ctx, input }) => getLicense(ctx.domain, input)),
  create: adminProcedure("license.write")
    .meta(rest("POST", "/licenses", "Licenses", "Issue a license"))
    .input(ZCreateLicenseInput)
    .output(ZLicenseDto)
    .mutation(({ ctx, input }) => createLicense(ctx.domain, input)),
  issueMany: adminProcedure("license.write")
    .meta(rest("POST", "/licenses/bulk", "Licenses", "Issue N licenses for one customer from one policy"))
    .input(ZIssueLicensesInput)
    .output(ZIssuedLicenses)
    .mutation(({ ctx, input }) => issueLicenses(ctx.domain, input)),
  update: adminProcedure("license.write")
    .meta(rest("PATCH", "/licenses/{id}", "Licenses", "Change a license's terms"))
    .input(ZUpdateLicenseInput)
    .output(ZLicenseDto)
    .mutation(({ ctx, input }) => updateLicense(ctx.domain, input)),
  setEntitlements: adminProcedure("license.write")
    .meta(rest("PUT", "/licenses/{id}/entitlements", "Licenses", "Replace a license's entitlements"))
    .input(ZSetEntitlementsInput)
    .output(ZLicenseDto)
    .mutation(({ ctx, input }) => setEntitlements(ctx.domain, input)),
  renew: adminProcedure("license.write")
    .meta(rest("POST", "/licenses/{id}/renew", "Licenses", "Set a later expiry or extend by days"))
    .input(ZRenewLicenseInput)
    .output(ZLicenseDto)
    .mutation(({ ctx, input }) => renewLicense(ctx.domain, input)),
  suspend: adminProcedure("license.status")
    .meta(rest("POST", "/licenses/{id}/suspend", "Licenses", "Suspend an active license"))
    .input(ZSuspendLicenseInput)
    .output(ZLicenseDto)
    .mutation(({ ctx, input }) => suspendLicense(ctx.domain, input)),
  reinstate: adminProcedure("license.status")
    .meta(rest("POST", "/licenses/{id}/reinstate", "Licenses", "Lift a suspension"))
    .input(ZReinstateLicenseInput)
    .output(ZLicenseDto)
    .mutation(({ ctx, input }) => reinstateLicense(ctx.domain, input)),
  bulkChange: adminProcedure("license.write")
    .meta(
      rest(
        "POST",
        "/licenses/bulk-change",
        "Licenses",
        "Suspend, reinstate or renew up to 500 licenses at once; each refused one with its reason",
      ),
    )
    .input(ZBulkChangeLicensesInput)
    .output(ZBulkChangeResult)
    .mutation(({ ctx, input }) => bulkChangeLicenses(ctx.domain, input)),
  revoke: adminProcedure("license.status")
    .meta(rest("POST", "/licenses/{id}/revoke", "Licenses", "Revoke a license for good"))
    .input(ZRevokeLicenseInput)
    .output(ZLicenseDto)
    .mutation(({ ctx, input }) => revokeLicense(ctx.domain, input)),
});
