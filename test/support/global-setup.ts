// Migrates one template database per provider once; each test file then copies it (a file copy
// for SQLite, CREATE DATABASE ... TEMPLATE for PostgreSQL) instead of migrating again.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../../src/server/db/migrate.ts";
import { createDatabase, dropDatabase, postgresUnavailable, randomDatabaseName } from "./postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    sqliteTemplate: string;
    postgresTemplate: string | null;
    postgresUnavailable: string | null;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "ls-test-"));
  const sqliteTemplate = join(dir, "template.db");
  await applyMigrations({ provider: "sqlite", url: sqliteTemplate });
  project.provide("sqliteTemplate", sqliteTemplate);

  const unavailable = await postgresUnavailable();
  let postgresTemplate: string | null = null;
  if (unavailable) {
    const message = `PostgreSQL is not reachable (${unavailable}): the PostgreSQL suites are skipped.`;
    if (process.env.CI === "true") throw new Error(`${message} CI=true requires them.`);
    console.warn(`\n*** ${message} ***\n`);
  } else {
    postgresTemplate = randomDatabaseName("ls_tpl");
    const url = await createDatabase(postgresTemplate);
    await applyMigrations({ provider: "postgresql", url });
  }
  project.provide("postgresTemplate", postgresTemplate);
  project.provide("postgresUnavailable", unavailable);

  return async () => {
    rmSync(dir, { recursive: true, force: true });
    if (postgresTemplate) await dropDatabase(postgresTemplate);
  };
}
