// Admin view of a node-locked license's bound machines.
import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { findLicenseInScope } from "../licenses/find-license.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { machineSelect, toMachineDto, type MachineDto } from "./select.ts";

export const ZListMachinesInput = z.object({ licenseId: ZId });

export async function listMachines(
  ctx: DomainContext,
  input: z.input<typeof ZListMachinesInput>,
): Promise<MachineDto[]> {
  requirePermission(ctx.actor, "license.read");
  const { licenseId } = parseInput(ZListMachinesInput, input);
  await findLicenseInScope(ctx.db, ctx.actor, licenseId);
  const rows = await ctx.db.machineBinding.findMany({
    where: { licenseId },
    orderBy: [{ boundAt: "asc" }, { id: "asc" }],
    select: machineSelect,
  });
  return rows.map(toMachineDto);
}
