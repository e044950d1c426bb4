// How a policy's (or a license's) terms read in the UI: the choices of each term with their
// labels in the user's words, and one-line summaries for detail lists.
import type { Option } from "@/components/ui/select-input.tsx";
import type {
  DurationFrom,
  ExpiryStrategy,
  LicenseType,
  MachineMatching,
  Overage,
} from "@/server/core/licenses/select.ts";

export const TYPE_OPTIONS: { value: LicenseType; label: string }[] = [
  { value: "floating", label: "Floating: on any machines" },
  { value: "node_locked", label: "Node-locked: bound to machines" },
];

export const EXPIRY_STRATEGY_OPTIONS: { value: ExpiryStrategy; label: string }[] = [
  { value: "restrict", label: "Refuse: the software stops at expiry" },
  { value: "maintain_versions", label: "Keep versions released before expiry working" },
  { value: "allow", label: "Keep working, answers say expired" },
];

export const OVERAGE_OPTIONS: { value: Overage; label: string }[] = [
  { value: "none", label: "None: the seat limit is the limit" },
  { value: "x1_25", label: "Up to 1.25 × the seats" },
  { value: "x1_5", label: "Up to 1.5 × the seats" },
  { value: "x2", label: "Up to 2 × the seats" },
  { value: "always", label: "Always: no cap, flagged as overage" },
];

export const MACHINE_MATCHING_OPTIONS: { value: MachineMatching; label: string }[] = [
  { value: "fingerprint", label: "The same fingerprint" },
  { value: "any", label: "Any one hardware component the same" },
  { value: "most", label: "Most hardware components the same" },
  { value: "all", label: "All hardware components the same" },
];

export const DURATION_FROM_OPTIONS: { value: DurationFrom; label: string }[] = [
  { value: "issue", label: "From the day it is issued" },
  { value: "first_activation", label: "From its first activation" },
];

function labelOf(options: Option[], value: string): string {
  return options.find((o) => o.value === value)?.label ?? value;
}

export const typeLabel = (type: string) => (type === "node_locked" ? "node-locked" : "floating");
export const expiryStrategyLabel = (value: string) => labelOf(EXPIRY_STRATEGY_OPTIONS, value);
export const overageLabel = (value: string) => labelOf(OVERAGE_OPTIONS, value);
export const machineMatchingLabel = (value: string) => labelOf(MACHINE_MATCHING_OPTIONS, value);

/** "30 days from issue", "365 days from first activation", "perpetual" */
export function durationLabel(days: number | null, from: string): string {
  if (days === null) return "perpetual";
  return `${days} day${days === 1 ? "" : "s"} from ${from === "first_activation" ? "first activation" : "issue"}`;
}

/** "every 7 days", "not required" */
export function checkInLabel(days: number | null): string {
  return days === null ? "not required" : `every ${days} day${days === 1 ? "" : "s"}`;
}

/** How the terms a policy carries read (the names `overrides` lists). */
export const TERM_LABELS: Record<string, string> = {
  type: "Type",
  seatLimit: "Seats",
  duration: "Duration",
  heartbeatIntervalSeconds: "Heartbeat interval",
  gracePeriodHours: "Grace period",
  offlineAllowanceDays: "Offline allowance",
  checkInIntervalDays: "Check-in interval",
  expiryStrategy: "Expiry strategy",
  overage: "Overage",
  machineMatching: "Machine matching",
  entitlements: "Entitlements",
};

export const termLabel = (term: string) => TERM_LABELS[term] ?? term;

/** A granted feature's quota: "—" (on/off), "unlimited", "10,000 calls per month" */
export function quotaLabel(e: {
  kind: string;
  quota: number | null;
  unit: string | null;
  quotaPeriod: string;
}) {
  if (e.kind !== "metered") return "—";
  if (e.quota === null) return "unlimited";
  return `${e.quota.toLocaleString("en")} ${e.unit ?? ""} per ${e.quotaPeriod === "total" ? "license" : e.quotaPeriod}`;
}
