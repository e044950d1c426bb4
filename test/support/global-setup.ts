// Once per run, before any test file: looks for the programs some suites need (system-tools.ts)
// and for PostgreSQL, says once what is missing and so skipped (CI=true fails instead), and
// migrates one template database per provider; each test file then copies it (a file copy for
// SQLite, CREATE DATABASE ... TEMPLATE for PostgreSQL) instead of migrating again. The teardown
// drops every PostgreSQL database of this run (their names carry its id), also those a failed
// or killed test file left behind.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../../src/server/db/migrate.ts";
import {
  createDatabase,
  dropRunDatabases,
  newTestRunId,
  postgresUnavailable,
  randomDatabaseName,
} from "./postgres.ts";
import { findSystemTools, missingToolsReport } from "./system-tools.ts";

declare module "vitest" {
  export interface ProvidedContext {
    sqliteTemplate: string;
    postgresTemplate: string | null;
    postgresUnavailable: string | null;
  }
}

const requiredInCi = process.env.CI === "true";

export default async function setup(project: TestProject) {
  const systemTools = findSystemTools();
  const missing = missingToolsReport(systemTools);
  if (missing.length > 0) {
    const lines = missing.map((line) => `***   ${line}`).join("\n");
    if (requiredInCi) {
      throw new Error(`Programs the tests need are not installed, and CI=true requires them:\n${lines}\n`);
    }
    console.warn(`\n*** Programs some suites need are not installed; those suites are skipped:\n${lines}\n`);
  }
  project.provide("systemTools", systemTools);

  const runId = newTestRunId();
  project.provide("testRunId", runId);

  const dir = mkdtempSync(join(tmpdir(), "ls-test-"));
  const sqliteTemplate = join(dir, "template.db");
  const unavailable = await postgresUnavailable();
  let postgresTemplate: string | null = null;
  const teardown = async () => {
    rmSync(dir, { recursive: true, force: true });
    if (unavailable) return;
    const left = await dropRunDatabases(runId);
    const others = left.filter((name) => name !== postgresTemplate);
    if (others.length > 0) {
      console.warn(`\n*** Dropped PostgreSQL databases test files left behind: ${others.join(", ")}\n`);
    }
  };

  try {
    await applyMigrations({ provider: "sqlite", url: sqliteTemplate });
    project.provide("sqliteTemplate", sqliteTemplate);

    if (unavailable) {
      const message = `PostgreSQL is not reachable (${unavailable}): the PostgreSQL suites are skipped.`;
      if (requiredInCi) throw new Error(`${message} CI=true requires them.`);
      console.warn(`\n*** ${message} ***\n`);
    } else {
      postgresTemplate = randomDatabaseName("ls_tpl", runId);
      const url = await createDatabase(postgresTemplate);
      await applyMigrations({ provider: "postgresql", url });
    }
    project.provide("postgresTemplate", postgresTemplate);
    project.provide("postgresUnavailable", unavailable);
  } catch (error) {
    await teardown();
    throw error;
  }

  return teardown;
}
