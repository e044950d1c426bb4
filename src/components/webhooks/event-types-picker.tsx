"use client";
// The events an endpoint wants: every type ("*", also types added later) or a chosen list of the
// subscribable types of the catalogue (the test event is never subscribed: it is sent on demand).
import { CheckboxInput } from "@/components/ui/checkbox-input.tsx";
import { SelectInput } from "@/components/ui/select-input.tsx";
import { EVENT_CATALOG, SUBSCRIBABLE_EVENT_TYPES, type EventType } from "@/server/core/events/schemas.ts";

export type EventsMode = "all" | "chosen";

export function EventTypesPicker({
  mode,
  onModeChange,
  value,
  onChange,
  error,
}: {
  mode: EventsMode;
  onModeChange: (mode: EventsMode) => void;
  value: EventType[];
  onChange: (types: EventType[]) => void;
  error?: string;
}) {
  return (
    <div className="flex flex-col gap-3">
      <SelectInput
        label="Events"
        name="eventsMode"
        value={mode}
        onChange={(next) => {
          onModeChange(next === "chosen" ? "chosen" : "all");
        }}
        options={[
          { value: "all", label: "All event types (also those added later)" },
          { value: "chosen", label: "Chosen event types" },
        ]}
        error={mode === "all" ? error : undefined}
      />
      {mode === "chosen" ? (
        <fieldset className="flex flex-col gap-2" aria-label="Event types">
          <legend className="sr-only">Event types</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            {SUBSCRIBABLE_EVENT_TYPES.map((type) => (
              <CheckboxInput
                key={type}
                name={`event-${type}`}
                label={type}
                description={EVENT_CATALOG[type].description}
                checked={value.includes(type)}
                onChange={(checked) => {
                  onChange(checked ? [...value, type] : value.filter((t) => t !== type));
                }}
              />
            ))}
          </div>
          {error ? (
            <p className="text-xs text-danger" data-slot="field-error">
              {error}
            </p>
          ) : null}
        </fieldset>
      ) : null}
    </div>
  );
}
