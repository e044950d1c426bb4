import { z } from "zod";
import type { Db, Tx } from "../../db/client.ts";

/** Server-wide settings a super admin changes at run time; stored as JSON in the Setting table. */
export const ZSettings = z.object({
  /** every admin must use TOTP; those without it may only enroll until they do */
  requireTwoFactor: z.boolean().default(false),
});
export type Settings = z.infer<typeof ZSettings>;

const KEY = "settings";

export async function readSettings(db: Db | Tx): Promise<Settings> {
  const row = await db.setting.findUnique({ where: { key: KEY }, select: { value: true } });
  let stored: unknown;
  try {
    stored = row ? JSON.parse(row.value) : {};
  } catch {
    stored = {};
  }
  const parsed = ZSettings.safeParse(stored);
  return parsed.success ? parsed.data : ZSettings.parse({});
}

export async function writeSettings(tx: Tx, settings: Settings): Promise<void> {
  const value = JSON.stringify(settings);
  await tx.setting.upsert({
    where: { key: KEY },
    create: { key: KEY, value },
    update: { value },
    select: { key: true },
  });
}
