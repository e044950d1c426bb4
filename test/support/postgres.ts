// The PostgreSQL server the tests use, and the databases they make on it. Every name carries the
// test run's id (global setup makes it), so that the run's teardown drops whatever its files left
// behind, and never a database of another run going on at the same time.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** names the PostgreSQL databases of this run: <prefix>_<run id>_<random> */
    testRunId: string;
  }
}

/** The server the tests use; override with TEST_POSTGRES_URL (any database the user may connect to). */
export const POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Why PostgreSQL cannot be used, or null when it can. */
export async function postgresUnavailable(): Promise<string | null> {
  try {
    await withAdminClient((client) => client.query("SELECT 1"));
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export const newTestRunId = (): string => randomBytes(4).toString("hex");

/** `<prefix>_<run id>_<random>`; the run id is this run's (global setup passes its own). */
export function randomDatabaseName(prefix: string, runId: string = inject("testRunId")): string {
  return `${prefix}_${runId}_${randomBytes(6).toString("hex")}`;
}

export async function createDatabase(name: string, template?: string): Promise<string> {
  await withAdminClient((client) =>
    client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`),
  );
  return databaseUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Drops every database of the run `runId` (whatever prefix made it); returns their names. */
export async function dropRunDatabases(runId: string): Promise<string[]> {
  const pattern = new RegExp(`^[a-z]+(_[a-z]+)*_${runId}_[0-9a-f]{12}$`);
  const names = await withAdminClient(async (client) => {
    const result = await client.query<{ datname: string }>("SELECT datname FROM pg_database");
    return result.rows.map((row) => row.datname).filter((name) => pattern.test(name));
  });
  for (const name of names) await dropDatabase(name);
  return names;
}
