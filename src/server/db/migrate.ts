import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createAdapter } from "./adapter.ts";
import { migrationsDir, modelSnapshotPath } from "./paths.ts";
import type { DbProvider, DbTarget } from "./provider.ts";
import { openSchemaEngine } from "./schema-engine.ts";
import { providerSchema } from "./schema-text.ts";

export interface MigrationFolder {
  name: string;
  sql: string;
}

/** The committed migrations of a provider, oldest first (folder names start with a timestamp). */
export function readMigrations(provider: DbProvider): MigrationFolder[] {
  const dir = migrationsDir(provider);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name, "migration.sql"), "utf8") }));
}

/**
 * Applies the pending migrations of the target's provider and records them in
 * `_prisma_migrations`, as `prisma migrate deploy` would. Returns the names it applied.
 */
export async function applyMigrations(target: DbTarget): Promise<string[]> {
  const dir = migrationsDir(target.provider);
  const lockPath = join(dir, "migration_lock.toml");
  const snapshot = existsSync(modelSnapshotPath) ? readFileSync(modelSnapshotPath, "utf8") : "";
  const adapter = createAdapter(target, { poolSize: 1 });
  const engine = await openSchemaEngine(adapter, providerSchema(target.provider, snapshot));
  try {
    return await engine.applyMigrations({
      baseDir: dir,
      lockfile: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null,
      migrations: readMigrations(target.provider),
    });
  } finally {
    await engine.close();
  }
}
