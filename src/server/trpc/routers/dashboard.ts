import { z } from "zod";
import { getActivity, ZActivityDto, ZGetActivityInput } from "../../core/stats/get-activity.ts";
import {
  getLicenseActivity,
  ZGetLicenseActivityInput,
  ZLicenseActivityDto,
} from "../../core/stats/get-license-activity.ts";
import { getDashboardSummary, ZDashboardSummaryDto } from "../../core/stats/get-dashboard-summary.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";

export const dashboardRouter = router({
  summary: adminProcedure("license.read")
    .meta(
      rest("GET", "/dashboard/summary", "Dashboard", "Counts, licenses expiring soon, recent audit events"),
    )
    .input(z.object({}))
    .output(ZDashboardSummaryDto)
    .query(({ ctx }) => getDashboardSummary(ctx.domain)),
  activity: adminProcedure("license.read")
    .meta(rest("GET", "/dashboard/activity", "Dashboard", "Validations and live sessions over time"))
    .input(ZGetActivityInput)
    .output(ZActivityDto)
    .query(({ ctx, input }) => getActivity(ctx.domain, input)),
  licenseActivity: adminProcedure("license.read")
    .meta(rest("GET", "/licenses/{licenseId}/activity", "Dashboard", "One license's validations over time"))
    .input(ZGetLicenseActivityInput)
    .output(ZLicenseActivityDto)
    .query(({ ctx, input }) => getLicenseActivity(ctx.domain, input)),
});
