// The admin side of the licensing API: live sessions, force-ending them, a node-locked license's
// machines, and usage.
import { z } from "zod";
import { endSession, ZEndSessionInput } from "../../core/sessions/end-session.ts";
import { listSessions, ZListSessionsInput } from "../../core/sessions/list-sessions.ts";
import { listMachines, ZListMachinesInput } from "../../core/machines/list-machines.ts";
import { releaseMachine, ZReleaseMachineInput } from "../../core/machines/release-machine.ts";
import { ZMachineDto } from "../../core/machines/select.ts";
import { ZSessionDto } from "../../core/sessions/select.ts";
import { zPage } from "../../core/shared/schemas.ts";
import { getUsage, ZGetUsageInput, ZUsageDto } from "../../core/usage/get-usage.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";

export const sessionsRouter = router({
  list: adminProcedure("license.read")
    .meta(rest("GET", "/licenses/{licenseId}/sessions", "Sessions", "A license's sessions (open by default)"))
    .input(ZListSessionsInput)
    .output(zPage(ZSessionDto))
    .query(({ ctx, input }) => listSessions(ctx.domain, input)),
  end: adminProcedure("session.manage")
    .meta(rest("POST", "/sessions/{id}/end", "Sessions", "Force-end a session and free its seat"))
    .input(ZEndSessionInput)
    .output(ZSessionDto)
    .mutation(({ ctx, input }) => endSession(ctx.domain, input)),
});

export const machinesRouter = router({
  list: adminProcedure("license.read")
    .meta(
      rest("GET", "/licenses/{licenseId}/machines", "Sessions", "Machines bound to a node-locked license"),
    )
    .input(ZListMachinesInput)
    .output(z.array(ZMachineDto))
    .query(({ ctx, input }) => listMachines(ctx.domain, input)),
  release: adminProcedure("session.manage")
    .meta(rest("POST", "/machines/{id}/release", "Sessions", "Unbind a machine (its open sessions end)"))
    .input(ZReleaseMachineInput)
    .output(ZMachineDto)
    .mutation(({ ctx, input }) => releaseMachine(ctx.domain, input)),
});

export const usageRouter = router({
  get: adminProcedure("license.read")
    .meta(
      rest(
        "GET",
        "/licenses/{licenseId}/usage",
        "Usage",
        "Usage of metered features: quotas, totals, a series",
      ),
    )
    .input(ZGetUsageInput)
    .output(ZUsageDto)
    .query(({ ctx, input }) => getUsage(ctx.domain, input)),
});
