import type { DomainContext } from "../context.ts";
import { readSettings, type Settings } from "./settings.ts";

/** Any signed-in caller may read the settings (the UI adapts to them). */
export function getSettings(ctx: DomainContext): Promise<Settings> {
  return readSettings(ctx.db);
}
