// Node-locked licenses run on the machines bound to them, at most `seatLimit` of them. A machine
// is bound on its first validation or activation while there is room; an admin can release it.
import type { Tx } from "../../db/client.ts";
import type { AuditEntry } from "../audit/write-audit-event.ts";
import type { ClientLicense, Verdict } from "../validation/client-license.ts";
import type { ClientInfo } from "../validation/schemas.ts";

/** lastSeenAt is refreshed at most this often: validations stay reads. */
const LAST_SEEN_RESOLUTION_MS = 3_600_000;

/** Notes that a bound machine was seen, when its last sighting is older than the resolution. */
export async function touchMachine(
  db: Tx,
  binding: { id: string; lastSeenAt: Date },
  now: Date,
): Promise<void> {
  if (now.getTime() - binding.lastSeenAt.getTime() <= LAST_SEEN_RESOLUTION_MS) return;
  await db.machineBinding.updateMany({ where: { id: binding.id }, data: { lastSeenAt: now } });
}

/** Whether the machine is already bound (and notes that it was seen). */
export async function isMachineBound(
  db: Tx,
  licenseId: string,
  fingerprint: string,
  now: Date,
): Promise<boolean> {
  const binding = await db.machineBinding.findUnique({
    where: { licenseId_fingerprint: { licenseId, fingerprint } },
    select: { id: true, lastSeenAt: true },
  });
  if (!binding) return false;
  await touchMachine(db, binding, now);
  return true;
}

/**
 * Binds the machine when the license has room. Call with the license locked (lockLicense), so
 * two machines cannot take the last place together.
 */
export async function bindMachine(
  tx: Tx,
  license: ClientLicense,
  client: ClientInfo,
  now: Date,
  audit: (entry: AuditEntry) => void,
): Promise<Verdict> {
  if (await isMachineBound(tx, license.id, client.fingerprint, now)) {
    return { status: "VALID", message: "the machine is bound to the license" };
  }
  const bound = await tx.machineBinding.count({ where: { licenseId: license.id } });
  if (bound >= license.seatLimit) {
    return {
      status: "FINGERPRINT_MISMATCH",
      message: `the license is locked to ${bound} other machine${bound === 1 ? "" : "s"}`,
    };
  }
  const binding = await tx.machineBinding.create({
    data: {
      licenseId: license.id,
      fingerprint: client.fingerprint,
      hostname: client.hostname,
      boundAt: now,
      lastSeenAt: now,
    },
    select: { id: true },
  });
  audit({
    action: "machine.bind",
    targetType: "license",
    targetId: license.id,
    summary: { bindingId: binding.id, fingerprint: client.fingerprint, hostname: client.hostname },
  });
  return { status: "VALID", message: "the machine is now bound to the license" };
}
