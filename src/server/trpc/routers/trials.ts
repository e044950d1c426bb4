import { convertTrial } from "../../core/trials/convert-trial.ts";
import { listTrials } from "../../core/trials/list-trials.ts";
import { ZConvertTrialInput, ZListTrialsInput, ZTrialStatsInput } from "../../core/trials/schemas.ts";
import { ZTrialDto } from "../../core/trials/select.ts";
import { trialStats, ZTrialStatsDto } from "../../core/trials/trial-stats.ts";
import { zPage } from "../../core/shared/schemas.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";

export const trialsRouter = router({
  list: adminProcedure("trial.read")
    .meta(rest("GET", "/trials", "Trials", "Page through trials, by product and status"))
    .input(ZListTrialsInput)
    .output(zPage(ZTrialDto))
    .query(({ ctx, input }) => listTrials(ctx.domain, input)),
  stats: adminProcedure("trial.read")
    .meta(rest("GET", "/trials/stats", "Trials", "Trials started and converted, with the conversion rate"))
    .input(ZTrialStatsInput)
    .output(ZTrialStatsDto)
    .query(({ ctx, input }) => trialStats(ctx.domain, input)),
  convert: adminProcedure("trial.convert")
    .meta(
      rest(
        "POST",
        "/trials/{trialId}/convert",
        "Trials",
        "Convert a trial into a paid license (same key and machine)",
      ),
    )
    .input(ZConvertTrialInput)
    .output(ZTrialDto)
    .mutation(({ ctx, input }) => convertTrial(ctx.domain, input)),
});
