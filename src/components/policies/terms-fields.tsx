"use client";
// The fields of a policy's or a license's terms (type, seats, heartbeat, grace period, offline
// allowance, check-in interval, expiry strategy, overage, machine matching), as text a form
// holds, and that text as the numbers and codes the schemas expect.
import type { ReactNode } from "react";
import { numberOrUndefined } from "@/components/ui/form-values.ts";
import { SelectInput } from "@/components/ui/select-input.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { DEFAULT_GRACE_PERIOD_HOURS } from "@/server/core/licenses/schemas.ts";
import type { ExpiryStrategy, LicenseType, MachineMatching, Overage } from "@/server/core/licenses/select.ts";
import { EXPIRY_STRATEGY_OPTIONS, MACHINE_MATCHING_OPTIONS, OVERAGE_OPTIONS, TYPE_OPTIONS } from "./terms.ts";

export interface TermsDraft {
  type: LicenseType;
  seatLimit: string;
  heartbeatIntervalSeconds: string;
  gracePeriodHours: string;
  offlineAllowanceDays: string;
  /** "": no check-in required */
  checkInIntervalDays: string;
  expiryStrategy: ExpiryStrategy;
  overage: Overage;
  machineMatching: MachineMatching;
}
export type TermKey = keyof TermsDraft;

export const DEFAULT_TERMS: TermsDraft = {
  type: "floating",
  seatLimit: "5",
  heartbeatIntervalSeconds: "300",
  gracePeriodHours: String(DEFAULT_GRACE_PERIOD_HOURS.floating),
  offlineAllowanceDays: "30",
  checkInIntervalDays: "",
  expiryStrategy: "restrict",
  overage: "none",
  machineMatching: "fingerprint",
};

/** The terms a policy or license record carries, as a form's text. */
export function termsDraftOf(terms: {
  type: string;
  seatLimit: number;
  heartbeatIntervalSeconds: number;
  gracePeriodHours: number;
  offlineAllowanceDays: number;
  checkInIntervalDays: number | null;
  expiryStrategy: string;
  overage: string;
  machineMatching: string;
}): TermsDraft {
  return {
    type: terms.type as LicenseType,
    seatLimit: String(terms.seatLimit),
    heartbeatIntervalSeconds: String(terms.heartbeatIntervalSeconds),
    gracePeriodHours: String(terms.gracePeriodHours),
    offlineAllowanceDays: String(terms.offlineAllowanceDays),
    checkInIntervalDays: terms.checkInIntervalDays === null ? "" : String(terms.checkInIntervalDays),
    expiryStrategy: terms.expiryStrategy as ExpiryStrategy,
    overage: terms.overage as Overage,
    machineMatching: terms.machineMatching as MachineMatching,
  };
}

/** The form's text as the schema's values (an empty check-in: none; an empty number: absent). */
export function termsInput(draft: TermsDraft) {
  return {
    type: draft.type,
    seatLimit: numberOrUndefined(draft.seatLimit),
    heartbeatIntervalSeconds: numberOrUndefined(draft.heartbeatIntervalSeconds),
    gracePeriodHours: numberOrUndefined(draft.gracePeriodHours),
    offlineAllowanceDays: numberOrUndefined(draft.offlineAllowanceDays),
    checkInIntervalDays: numberOrUndefined(draft.checkInIntervalDays) ?? null,
    expiryStrategy: draft.expiryStrategy,
    overage: draft.overage,
    machineMatching: draft.machineMatching,
  };
}

interface FieldProps {
  name: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  /** a license's term taken from its policy again (the edit dialog) */
  isDisabled?: boolean;
}

/**
 * The terms' fields. `field(key)` binds one to the form (useForm's `field`), `set` changes one
 * (a type change also moves the grace period while it holds the other type's default, and drops
 * overage, which node-locked terms cannot have). `children` go after the seats (the duration).
 */
export function TermsFields({
  values,
  field,
  set,
  children,
}: {
  values: TermsDraft;
  field: (key: TermKey) => FieldProps;
  set: <K extends TermKey>(key: K, value: TermsDraft[K]) => void;
  children?: ReactNode;
}) {
  const numberField = (key: TermKey, label: string, description: string, isRequired = true) => (
    <TextInput
      label={label}
      type="number"
      inputMode="numeric"
      {...field(key)}
      description={description}
      isRequired={isRequired}
    />
  );
  return (
    <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
      <SelectInput
        label="Seats are"
        {...field("type")}
        onChange={(v) => {
          const type = v as LicenseType;
          if (values.gracePeriodHours === String(DEFAULT_GRACE_PERIOD_HOURS[values.type])) {
            set("gracePeriodHours", String(DEFAULT_GRACE_PERIOD_HOURS[type]));
          }
          if (type === "node_locked") set("overage", "none");
          set("type", type);
        }}
        options={TYPE_OPTIONS}
      />
      {numberField("seatLimit", "Seats", "Live sessions (floating) or machines (node-locked).")}
      {children}
      {numberField("heartbeatIntervalSeconds", "Heartbeat interval (seconds)", "30 to 86,400; 300 is usual.")}
      {numberField(
        "gracePeriodHours",
        "Grace period (hours)",
        "How long software runs through an outage; a crashed machine's floating seat stays taken as long (default: 1 floating, 72 node-locked).",
      )}
      {numberField(
        "offlineAllowanceDays",
        "Offline allowance (days)",
        "The longest offline .lic file; 0: none.",
      )}
      {numberField(
        "checkInIntervalDays",
        "Check-in interval (days)",
        "The software must validate online at least this often; empty: never required.",
        false,
      )}
      <SelectInput
        label="After expiry"
        {...field("expiryStrategy")}
        options={EXPIRY_STRATEGY_OPTIONS}
        description="Keeping released versions working needs the product's releases."
      />
      {values.type === "floating" ? (
        <SelectInput
          label="Overage"
          {...field("overage")}
          options={OVERAGE_OPTIONS}
          description="Seats granted beyond the limit, each answer and audit marked as overage."
        />
      ) : (
        <SelectInput
          label="A machine is recognised by"
          {...field("machineMatching")}
          options={MACHINE_MATCHING_OPTIONS}
          description="Components survive a new disk or network card; a changed fingerprint is then updated."
        />
      )}
    </div>
  );
}
