"use client";
// A field that picks one record by searching for it on the server: a combo box (HeroUI's, over
// react-aria) whose options are the first page of the server's answer to what is typed, asked
// for after a pause in the typing. Arrow keys move through the options, Enter picks one, Escape
// or leaving the field puts back the chosen record's name. The chosen record's name shows even
// when it is not in the first page (the typed pickers look it up by id), and a search that finds
// nothing says so. Typed pickers (customers, products, policies, groups): pickers.tsx.
import { ComboBox, Description, FieldError, Input, Label, ListBox } from "@heroui/react";
import { useEffect, useState, type ReactNode } from "react";

export interface PickerOption {
  value: string;
  label: string;
  /** a second line under the label (an email, a code) */
  detail?: string;
}

/** The key of the "none" option (filters: "Any product"); react-aria's keys cannot be "". */
const NONE = "\u0000none";

/** What is typed in a picker, and the same text once the typing pauses (what is searched for). */
export function usePickerSearch(delayMs = 250) {
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  // the list is asked for once the field is first used, not for every picker a page renders
  const [isActive, setActive] = useState(false);
  useEffect(() => {
    const next = text.trim();
    if (next === q) return;
    const timer = setTimeout(() => {
      setQ(next);
    }, delayMs);
    return () => {
      clearTimeout(timer);
    };
  }, [text, q, delayMs]);
  return {
    /** the search text to send (debounced, trimmed; "" for the first page) */
    q,
    isActive,
    onSearchChange: (value: string) => {
      setActive(true);
      setText(value);
    },
    onActivate: () => {
      setActive(true);
    },
    /** true while the typed text has not been searched for yet */
    isStale: text.trim() !== q,
  };
}

export type PickerSearch = ReturnType<typeof usePickerSearch>;

export interface PickerFieldProps {
  label: string;
  name: string;
  /** the chosen record's id, "" for none */
  value: string;
  onChange: (value: string, option?: PickerOption) => void;
  error?: string;
  description?: ReactNode;
  isRequired?: boolean;
  isDisabled?: boolean;
  placeholder?: string;
  className?: string;
  /** an option meaning "none" (e.g. "Any product" in a filter), listed first */
  noneLabel?: string;
}

export interface SearchPickerProps extends PickerFieldProps {
  search: PickerSearch;
  /** the server's options for search.q (undefined while the first answer is awaited) */
  options: PickerOption[] | undefined;
  /** how many records match in all (more than the options: "type to narrow") */
  total?: number;
  isFetching: boolean;
  /** the chosen record (looked up by id when it is not among the options) */
  selected: PickerOption | undefined;
}

export function SearchPicker({
  label,
  name,
  value,
  onChange,
  error,
  description,
  isRequired,
  isDisabled,
  placeholder,
  className,
  noneLabel,
  search,
  options,
  total,
  isFetching,
  selected,
}: SearchPickerProps) {
  // the option last picked here: its name stays while the first page (without it) loads
  const [picked, setPicked] = useState<PickerOption | undefined>(undefined);
  const chosen = value
    ? (options?.find((o) => o.value === value) ??
      (selected?.value === value ? selected : undefined) ??
      (picked?.value === value ? picked : undefined))
    : undefined;
  const chosenLabel = chosen?.label ?? "";
  const [inputValue, setInputValue] = useState(chosenLabel);
  const [isEditing, setEditing] = useState(false);
  // the chosen record's name as it becomes known (looked up after the first render, changed from
  // outside): shown unless the admin is typing
  const [shownFor, setShownFor] = useState(`${value}\u0000${chosenLabel}`);
  // (a chosen record whose name is not known yet keeps the text as it is)
  if (shownFor !== `${value}\u0000${chosenLabel}` && !isEditing && (chosen || !value)) {
    setShownFor(`${value}\u0000${chosenLabel}`);
    setInputValue(chosenLabel);
  }

  const searching = search.q !== "";
  const items: PickerOption[] = [
    ...(noneLabel && !searching ? [{ value: NONE, label: noneLabel }] : []),
    // the chosen record first when the list does not hold it (so Enter on the field keeps it)
    ...(chosen && !searching && !options?.some((o) => o.value === chosen.value) ? [chosen] : []),
    ...(options ?? []),
  ];
  const pending = isFetching || search.isStale || options === undefined;

  const pick = (key: string | null) => {
    setEditing(false);
    if (key === null || key === NONE) {
      setInputValue("");
      search.onSearchChange("");
      if (value !== "") onChange("");
      return;
    }
    const option = items.find((o) => o.value === key);
    if (option) setPicked(option);
    setInputValue(option?.label ?? chosenLabel);
    search.onSearchChange("");
    if (key !== value) onChange(key, option);
  };

  return (
    <ComboBox
      className={className ?? "w-full"}
      name={name}
      items={items}
      value={value || null}
      onChange={(key) => {
        pick(key === null ? null : String(key));
      }}
      inputValue={inputValue}
      onInputChange={(text) => {
        setInputValue(text);
        // the chosen record's name (put back by the combo box) is no search
        const typed = text !== chosenLabel;
        setEditing(typed);
        search.onSearchChange(typed ? text : "");
        // clearing the text clears the choice (a required field then says so)
        if (text === "" && value !== "") onChange("");
      }}
      onOpenChange={(isOpen) => {
        if (isOpen) search.onActivate();
      }}
      onFocus={search.onActivate}
      onBlur={() => {
        setEditing(false);
      }}
      allowsEmptyCollection
      isInvalid={Boolean(error)}
      isRequired={isRequired}
      isDisabled={isDisabled}
    >
      <Label>{label}</Label>
      <ComboBox.InputGroup>
        <Input placeholder={placeholder ?? "Type to search"} />
        <ComboBox.Trigger aria-label={`Show ${label.toLowerCase()} options`} />
      </ComboBox.InputGroup>
      {description && !error ? <Description>{description}</Description> : null}
      <FieldError>{error}</FieldError>
      <ComboBox.Popover>
        <ListBox
          items={items}
          renderEmptyState={() => (
            <p className="px-3 py-2 text-sm text-muted" data-testid="picker-empty">
              {pending ? "Searching…" : searching ? `No matches for “${search.q}”` : "Nothing to choose yet"}
            </p>
          )}
        >
          {(item: PickerOption) => (
            // named by the label alone: the detail line is a hint, not part of the name
            <ListBox.Item id={item.value} textValue={item.label} aria-label={item.label}>
              <div className="flex min-w-0 flex-col">
                <span className="truncate">{item.label}</span>
                {item.detail ? <span className="truncate text-xs text-muted">{item.detail}</span> : null}
              </div>
              <ListBox.ItemIndicator />
            </ListBox.Item>
          )}
        </ListBox>
        {total !== undefined && options !== undefined && total > options.length ? (
          <p className="border-t border-separator px-3 py-2 text-xs text-muted" data-testid="picker-more">
            {options.length} of {total} shown: type to narrow the list.
          </p>
        ) : null}
      </ComboBox.Popover>
    </ComboBox>
  );
}
