// Releasing a node-locked license's machine, so another machine can take its place.
import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { licenseEventData, machineEventData } from "../events/payloads.ts";
import { findLicenseInScope } from "../licenses/find-license.ts";
import { endSessions } from "../sessions/session-rules.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { lockLicense } from "../validation/client-license.ts";
import { machineSelect, toMachineDto, type MachineDto } from "./select.ts";

export const ZReleaseMachineInput = z.object({ id: ZId });

/** Unbinds a machine from its node-locked license and ends its open sessions (machine.released). */
export async function releaseMachine(
  ctx: DomainContext,
  input: z.input<typeof ZReleaseMachineInput>,
): Promise<MachineDto> {
  requirePermission(ctx.actor, "session.manage");
  const { id } = parseInput(ZReleaseMachineInput, input);
  return mutate(ctx, async ({ tx, now, audit, emit }) => {
    const machine = await tx.machineBinding.findUnique({ where: { id }, select: machineSelect });
    if (!machine) throw notFound("machine binding", id);
    await findLicenseInScope(tx, ctx.actor, machine.licenseId);
    await lockLicense(tx, ctx.provider, machine.licenseId);
    const open = await tx.session.findMany({
      where: { licenseId: machine.licenseId, fingerprint: machine.fingerprint, endedAt: null },
      select: { id: true, licenseId: true, fingerprint: true },
    });
    await endSessions(tx, open, "admin", now, { audit, emit }, { machineReleased: true });
    await tx.machineBinding.delete({ where: { id }, select: { id: true } });
    audit({
      action: "machine.release",
      targetType: "license",
      targetId: machine.licenseId,
      summary: { bindingId: id, fingerprint: machine.fingerprint, hostname: machine.hostname },
    });
    emit({
      type: "machine.released",
      licenseId: machine.licenseId,
      data: {
        license: await licenseEventData(tx, machine.licenseId, now),
        machine: machineEventData(machine),
      },
    });
    return toMachineDto(machine);
  });
}
