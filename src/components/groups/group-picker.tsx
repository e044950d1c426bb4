"use client";
// Choose several groups with checkboxes (a fieldset with a legend).
import { CheckboxInput } from "@/components/ui/checkbox-input.tsx";

export function GroupPicker({
  legend,
  options,
  value,
  onChange,
  error,
  description,
}: {
  legend: string;
  options: { value: string; label: string }[];
  value: string[];
  onChange: (ids: string[]) => void;
  error?: string;
  description?: string;
}) {
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      {description ? <p className="text-xs text-muted">{description}</p> : null}
      <div className="grid gap-2 sm:grid-cols-2">
        {options.map((option) => (
          <CheckboxInput
            key={option.value}
            name={`group-${option.value}`}
            label={option.label}
            checked={value.includes(option.value)}
            onChange={(checked) => {
              onChange(checked ? [...value, option.value] : value.filter((id) => id !== option.value));
            }}
          />
        ))}
        {options.length === 0 ? <p className="text-sm text-muted">No groups.</p> : null}
      </div>
      {error ? <p className="text-xs text-danger">{error}</p> : null}
    </fieldset>
  );
}
