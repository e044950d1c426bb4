// Backups are the operator's: the admin CLI and the sidecar's schedule act as the system on the
// host that holds the keys. No admin API exposes them (a backup holds every secret the server has).
import type { Db, Tx } from "../../db/client.ts";
import type { DomainContext } from "../context.ts";
import { forbidden } from "../errors.ts";

export function requireOperator(ctx: DomainContext): void {
  if (ctx.actor.type !== "system") throw forbidden("backups are made and restored by the server's operator");
}

/** Names of the migrations applied to a database, oldest first. */
export async function appliedMigrations(db: Db | Tx): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
    `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  return rows.map((r) => r.migration_name);
}
