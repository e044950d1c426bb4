// Driving the admin UI's search pickers (src/components/search/search-picker.tsx) as an admin
// does: type part of a name into the combo box, wait for the server's options, pick one with the
// keyboard (arrow down to it, Enter) or the mouse.
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";

/** The search picker labelled `label` (its text field, a combo box) within `scope`. */
export function picker(scope: Page | Locator, label: string): Locator {
  // a required field's label ends in "*"
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return scope.getByRole("combobox", { name: new RegExp(`^${escaped} ?\\*?$`) });
}

/**
 * Types `text` into the picker `label` and picks the option named `option` (default: `text`),
 * by keyboard unless `mouse`; then the field shows the option's name (or `shown`).
 */
export async function pick(
  scope: Page | Locator,
  label: string,
  text: string,
  option: string = text,
  how: "keyboard" | "mouse" = "keyboard",
  /** what the field shows after the pick ("" for a picker that adds to a list and empties) */
  shown: string = option,
): Promise<void> {
  const page = "page" in scope ? scope.page() : scope;
  const field = picker(scope, label);
  await field.click();
  await field.fill("");
  await field.pressSequentially(text, { delay: 20 });
  const listbox = page.getByRole("listbox");
  const wanted = listbox.getByRole("option", { name: option, exact: true });
  // the server's answer for the whole text: only then is the option list this search's
  await wanted.waitFor();
  if (how === "mouse") {
    await wanted.click();
  } else {
    for (let step = 0; step < 50; step++) {
      if ((await wanted.getAttribute("data-focused")) === "true") break;
      await field.press("ArrowDown");
    }
    expect(await wanted.getAttribute("data-focused"), `option ${option} reached by the arrow keys`).toBe(
      "true",
    );
    await field.press("Enter");
  }
  await expect.poll(() => field.inputValue(), { timeout: 10_000 }).toBe(shown);
}
