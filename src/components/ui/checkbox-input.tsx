"use client";
// A native checkbox with its label and an optional hint.
import { useId, type ReactNode } from "react";

export function CheckboxInput({
  label,
  name,
  checked,
  onChange,
  description,
  isDisabled,
}: {
  label: string;
  name: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  description?: ReactNode;
  isDisabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="flex items-start gap-2">
      <input
        id={id}
        name={name}
        type="checkbox"
        checked={checked}
        disabled={isDisabled}
        onChange={(event) => {
          onChange(event.target.checked);
        }}
        className="mt-1 size-4 accent-[var(--accent)]"
      />
      <div className="flex flex-col">
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        {description ? <span className="text-xs text-muted">{description}</span> : null}
      </div>
    </div>
  );
}
