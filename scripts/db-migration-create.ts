// Creates a migration for both providers from the change of prisma/models.prisma since the last
// migration: diff(snapshot -> current model) per provider, no shadow database needed.
//   npm run db:migration:create -- <name>
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createAdapter } from "../src/server/db/adapter.ts";
import { migrationsDir, modelSnapshotPath, modelsPath } from "../src/server/db/paths.ts";
import type { DbProvider } from "../src/server/db/provider.ts";
import { openSchemaEngine } from "../src/server/db/schema-engine.ts";
import { providerSchema } from "../src/server/db/schema-text.ts";
import { tmpdir } from "node:os";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration:create -- <name>   (name: lower-case letters, digits, _)");
  process.exit(2);
}

const models = readFileSync(modelsPath, "utf8");
const previous = existsSync(modelSnapshotPath) ? readFileSync(modelSnapshotPath, "utf8") : null;
if (previous === models) {
  console.log("prisma/models.prisma has not changed since the last migration: nothing to create.");
  process.exit(0);
}

const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const folder = `${stamp}_${name}`;
// The diff is computed from data models alone; the engine still wants a connection of the
// provider's kind, so it gets a throw-away SQLite file or the PostgreSQL server's default database.
const scratch = mkdtempSync(join(tmpdir(), "ls-migration-"));
const targets: Record<DbProvider, string> = {
  sqlite: join(scratch, "scratch.db"),
  postgresql: process.env.MIGRATION_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
};

// Both diffs first, then the files: a failure on one provider leaves no half-made migration.
const scripts: Partial<Record<DbProvider, string>> = {};
try {
  for (const provider of ["sqlite", "postgresql"] as const) {
    const adapter = createAdapter({ provider, url: targets[provider] }, { poolSize: 1 });
    const engine = await openSchemaEngine(adapter, providerSchema(provider, models));
    try {
      scripts[provider] = await engine.diff(
        previous === null
          ? { tag: "empty" }
          : { tag: "schemaDatamodel", schema: providerSchema(provider, previous) },
        { tag: "schemaDatamodel", schema: providerSchema(provider, models) },
      );
    } finally {
      await engine.close();
    }
  }
} catch (error) {
  console.error(`Could not compute the migration: ${(error as Error).message}`);
  console.error(
    "The PostgreSQL diff needs a reachable server (MIGRATION_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres).",
  );
  process.exit(1);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

for (const provider of ["sqlite", "postgresql"] as const) {
  const dir = migrationsDir(provider);
  mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(join(dir, folder, "migration.sql"), scripts[provider] ?? "");
  writeFileSync(
    join(dir, "migration_lock.toml"),
    `# Written by npm run db:migration:create. Do not edit.\nprovider = "${provider}"\n`,
  );
  console.log(`created prisma/migrations/${provider}/${folder}/migration.sql`);
}
writeFileSync(modelSnapshotPath, models);
// the schema engine leaves a timer behind
process.exit(0);
