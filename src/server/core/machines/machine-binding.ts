// Node-locked licenses run on the machines bound to them, at most `seatLimit` of them. A machine
// is bound on its first validation or activation while there is room; an admin can release it.
// A license whose machineMatching is not "fingerprint" also recognises a bound machine by its
// hashed components (component-match.ts) when its fingerprint changed: the binding is updated in
// place, so a BIOS update or a new network card does not take a second machine's place.
import type { Tx } from "../../db/client.ts";
import type { AuditEntry } from "../audit/write-audit-event.ts";
import type { MachineMatching } from "../licenses/select.ts";
import type { ClientLicense, Verdict } from "../validation/client-license.ts";
import type { ClientInfo } from "../validation/schemas.ts";
import { bestComponentMatch, parseComponents, type Components } from "./component-match.ts";
import { convertTrialOnKeyEntered } from "../trials/convert-trial.ts";
import { licenseEventData, machineEventData } from "../events/payloads.ts";
import type { Recorders } from "../sessions/session-rules.ts";

/** lastSeenAt (and a bound machine's changed components) are written at most this often. */
const LAST_SEEN_RESOLUTION_MS = 3_600_000;

/** A machine check's answer: machineUpdated when a binding was recognised by its components. */
export interface MachineVerdict extends Verdict {
  machineUpdated?: boolean;
}

/** The components as stored: a canonical JSON object (sorted kinds), so equal sets compare equal. */
export function storedComponents(components: Components): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
  );
}

/**
 * Notes that a bound machine was seen, when its last sighting is older than the resolution; a
 * machine that sent components different from the stored ones has them refreshed then too (none
 * sent: the stored ones stay).
 */
export async function touchMachine(
  db: Tx,
  binding: { id: string; lastSeenAt: Date; components?: string },
  now: Date,
  components: Components = {},
): Promise<void> {
  if (now.getTime() - binding.lastSeenAt.getTime() <= LAST_SEEN_RESOLUTION_MS) return;
  const presented = Object.keys(components).length > 0 ? storedComponents(components) : undefined;
  const refresh =
    presented !== undefined && binding.components !== undefined && presented !== binding.components;
  await db.machineBinding.updateMany({
    where: { id: binding.id },
    data: { lastSeenAt: now, ...(refresh ? { components: presented } : {}) },
  });
}

/** Whether the machine is already bound (and notes that it was seen). */
export async function isMachineBound(
  db: Tx,
  licenseId: string,
  client: Pick<ClientInfo, "fingerprint" | "components">,
  now: Date,
): Promise<boolean> {
  const binding = await db.machineBinding.findUnique({
    where: { licenseId_fingerprint: { licenseId, fingerprint: client.fingerprint } },
    select: { id: true, lastSeenAt: true, components: true },
  });
  if (!binding) return false;
  await touchMachine(db, binding, now, client.components);
  return true;
}

/**
 * Binds the machine when the license has room, or recognises it by its components (the binding
 * is updated in place, no place taken). Call with the license locked (lockLicense), so two
 * machines cannot take the last place together. A new binding emits machine.bound, and
 * license.seat_limit_reached when it took the last place.
 */
export async function bindMachine(
  tx: Tx,
  license: ClientLicense,
  client: ClientInfo,
  now: Date,
  record: Recorders,
): Promise<MachineVerdict> {
  const { audit, emit } = record;
  if (await isMachineBound(tx, license.id, client, now)) {
    return { status: "VALID", message: "the machine is bound to the license" };
  }
  const updated = await rebindByComponents(tx, license, client, now, audit);
  if (updated) return updated;
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
      components: storedComponents(client.components),
      boundAt: now,
      lastSeenAt: now,
    },
    select: { id: true, fingerprint: true, hostname: true, boundAt: true },
  });
  audit({
    action: "machine.bind",
    targetType: "license",
    targetId: license.id,
    summary: {
      bindingId: binding.id,
      fingerprint: client.fingerprint,
      hostname: client.hostname,
      components: Object.keys(client.components).sort(),
    },
  });
  const payload = await licenseEventData(tx, license.id, now);
  emit({
    type: "machine.bound",
    licenseId: license.id,
    data: { license: payload, machine: machineEventData(binding) },
  });
  // the place taken was the last one (once per crossing: the count went from limit - 1 to limit)
  if (bound + 1 === license.seatLimit) {
    emit({
      type: "license.seat_limit_reached",
      licenseId: license.id,
      data: { license: payload, seatLimit: license.seatLimit, seatsUsed: bound + 1, by: "machine" },
    });
  }
  // a paid key entered on a machine that had the product's trial converts the trial
  await convertTrialOnKeyEntered(tx, license, client.fingerprint, now, record);
  return { status: "VALID", message: "the machine is now bound to the license" };
}

/**
 * A machine with an unbound fingerprint whose components match a binding under the license's
 * rule: that binding (the one with the most equal components) takes the new fingerprint, hostname
 * and components, and the old fingerprint's open sessions follow it. Undefined: no match.
 */
async function rebindByComponents(
  tx: Tx,
  license: ClientLicense,
  client: ClientInfo,
  now: Date,
  audit: (entry: AuditEntry) => void,
): Promise<MachineVerdict | undefined> {
  const rule = license.machineMatching as MachineMatching;
  if (rule === "fingerprint" || Object.keys(client.components).length === 0) return undefined;
  // few rows: a node-locked license has at most seatLimit bindings
  const bindings = await tx.machineBinding.findMany({
    where: { licenseId: license.id },
    orderBy: [{ boundAt: "asc" }, { id: "asc" }],
    select: { id: true, fingerprint: true, hostname: true, components: true },
  });
  const match = bestComponentMatch(
    bindings.map((b) => ({ ...b, components: parseComponents(b.components) })),
    client.components,
    rule,
  );
  if (!match) return undefined;
  const { binding, matched } = match;
  await tx.machineBinding.update({
    where: { id: binding.id },
    data: {
      fingerprint: client.fingerprint,
      hostname: client.hostname,
      components: storedComponents(client.components),
      lastSeenAt: now,
    },
    select: { id: true },
  });
  const { count: sessionsMoved } = await tx.session.updateMany({
    where: { licenseId: license.id, fingerprint: binding.fingerprint, endedAt: null },
    data: { fingerprint: client.fingerprint },
  });
  audit({
    action: "machine.update",
    targetType: "license",
    targetId: license.id,
    summary: {
      bindingId: binding.id,
      from: binding.fingerprint,
      to: client.fingerprint,
      hostname: client.hostname,
      ...(binding.hostname !== client.hostname ? { fromHostname: binding.hostname } : {}),
      machineMatching: rule,
      matched,
      components: Object.keys(binding.components).length,
      ...(sessionsMoved > 0 ? { sessionsMoved } : {}),
    },
  });
  return {
    status: "VALID",
    message: `the machine was recognised by its components (${matched.join(", ")}) and its binding updated`,
    machineUpdated: true,
  };
}
