import type { Actor } from "../context.ts";
import { forbidden } from "../errors.ts";

/** For operations on one's own account: only signed-in admins have one (not API keys). */
export function requireAdminActor(actor: Actor): string {
  if (actor.type !== "admin" || actor.id === null) throw forbidden("only a signed-in admin can do this");
  return actor.id;
}
