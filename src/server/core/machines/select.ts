// A bound machine as the admin API shows it (explicit select and its Zod shape).
import { z } from "zod";
import type { Prisma } from "../../db/client.ts";

export const machineSelect = {
  id: true,
  licenseId: true,
  fingerprint: true,
  hostname: true,
  boundAt: true,
  lastSeenAt: true,
} satisfies Prisma.MachineBindingSelect;

export const ZMachineDto = z.object({
  id: z.string(),
  licenseId: z.string(),
  fingerprint: z.string(),
  hostname: z.string(),
  boundAt: z.date(),
  lastSeenAt: z.date(),
});
export type MachineDto = z.infer<typeof ZMachineDto>;
