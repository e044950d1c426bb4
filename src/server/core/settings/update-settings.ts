import { requirePermission } from "../../auth/policy.ts";
import type { DomainContext } from "../context.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { readSettings, writeSettings, ZSettings, type Settings } from "./settings.ts";

export const ZUpdateSettingsInput = ZSettings.partial();
export type TUpdateSettingsInput = Partial<Settings>;

export async function updateSettings(ctx: DomainContext, input: TUpdateSettingsInput): Promise<Settings> {
  requirePermission(ctx.actor, "settings.write");
  const patch = parseInput(ZUpdateSettingsInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    const before = await readSettings(tx);
    const after = { ...before, ...patch };
    await writeSettings(tx, after);
    audit({
      action: "settings.update",
      targetType: "settings",
      targetId: null,
      summary: changes(before, patch),
    });
    return after;
  });
}
