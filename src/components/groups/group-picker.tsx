"use client";
// Choose several groups: the chosen ones as removable chips, and a search picker (server-side,
// any number of groups) that adds one more; a fieldset with a legend.
import { CloseButton } from "@heroui/react";
import { useQueries } from "@tanstack/react-query";
import { useState } from "react";
import { GroupSearchPicker } from "@/components/search/pickers.tsx";
import { useTRPC } from "@/hooks/trpc.ts";

export function GroupPicker({
  legend,
  value,
  onChange,
  error,
  description,
}: {
  legend: string;
  value: string[];
  onChange: (ids: string[]) => void;
  error?: string;
  description?: string;
}) {
  const trpc = useTRPC();
  // the picker starts empty again after each pick (a new key resets it)
  const [round, setRound] = useState(0);
  const names = useQueries({
    queries: value.map((id) => trpc.groups.get.queryOptions({ id })),
  });
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      {description ? <p className="text-xs text-muted">{description}</p> : null}
      <ul className="flex flex-wrap gap-2" aria-label={`${legend}: chosen`}>
        {value.map((id, index) => {
          const name = names[index]?.data?.name ?? "…";
          return (
            <li
              key={id}
              className="flex items-center gap-1 rounded-full border border-border bg-default py-0.5 pl-3 pr-1 text-sm"
            >
              <span>{name}</span>
              <CloseButton
                aria-label={`Remove ${name}`}
                onPress={() => {
                  onChange(value.filter((other) => other !== id));
                }}
              />
            </li>
          );
        })}
        {value.length === 0 ? <li className="text-sm text-muted">None chosen.</li> : null}
      </ul>
      <GroupSearchPicker
        key={round}
        label={`Add to ${legend.toLowerCase()}`}
        name={`${legend}-add`}
        value=""
        exclude={value}
        onChange={(id) => {
          if (id && !value.includes(id)) onChange([...value, id]);
          setRound((n) => n + 1);
        }}
        placeholder="Type a group's name"
      />
      {error ? <p className="text-xs text-danger">{error}</p> : null}
    </fieldset>
  );
}
