// A bound machine as the admin API shows it (explicit select and its Zod shape).
import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { parseComponents } from "./component-match.ts";

export const machineSelect = {
  id: true,
  licenseId: true,
  fingerprint: true,
  hostname: true,
  components: true,
  boundAt: true,
  lastSeenAt: true,
} satisfies Prisma.MachineBindingSelect;

export const ZMachineDto = z.object({
  id: z.string(),
  licenseId: z.string(),
  fingerprint: z.string(),
  hostname: z.string(),
  /** how many hashed components the machine sent (tolerant matching); the hashes stay inside */
  components: z.number().int(),
  /** their kinds (board, disk, cpu, mac ...), sorted */
  componentKinds: z.array(z.string()),
  boundAt: z.date(),
  lastSeenAt: z.date(),
});
export type MachineDto = z.infer<typeof ZMachineDto>;

type MachineRow = Prisma.MachineBindingGetPayload<{ select: typeof machineSelect }>;

export function toMachineDto({ components, ...row }: MachineRow): MachineDto {
  const kinds = Object.keys(parseComponents(components)).sort();
  return { ...row, components: kinds.length, componentKinds: kinds };
}
