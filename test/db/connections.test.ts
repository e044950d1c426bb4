// A PostgreSQL server that drops our connections (restart, failover, pg_terminate_backend) must not
// crash the process: both pools log the broken idle connection and the next query reconnects.
import { describe, expect, inject, it } from "vitest";
import { openDatabase } from "../../src/server/db/client.ts";
import { createDatabase, dropDatabase, randomDatabaseName, withAdminClient } from "../support/postgres.ts";

const waitFor = async (done: () => boolean, ms = 5000) => {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe.skipIf(inject("postgresUnavailable") !== null)("PostgreSQL connections", () => {
  it("survive the server terminating them: the error is reported, the next query reconnects", async () => {
    const template = inject("postgresTemplate");
    if (!template) throw new Error("PostgreSQL template missing");
    const name = randomDatabaseName("ls_conn");
    const url = await createDatabase(name, template);
    const errors: Error[] = [];
    const handle = await openDatabase(
      { provider: "postgresql", url },
      { onPoolError: (e) => errors.push(e) },
    );
    try {
      // an idle connection in each pool: Prisma's and the fast reads'
      expect(await handle.db.license.count()).toBe(0);
      expect(await handle.reads.licenseByKey("AAAAA-AAAAA-AAAAA-AAAAA-AAAAA")).toBeNull();

      const terminated = await withAdminClient(async (client) => {
        const result = await client.query<{ ok: boolean }>(
          "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1",
          [name],
        );
        return result.rows.length;
      });
      expect(terminated).toBeGreaterThanOrEqual(2);
      await waitFor(() => errors.length >= 2);
      expect(errors.every((e) => (e as Error & { code?: string }).code === "57P01")).toBe(true);

      expect(await handle.reads.licenseByKey("AAAAA-AAAAA-AAAAA-AAAAA-AAAAA")).toBeNull();
      expect(await handle.db.license.count()).toBe(0);
    } finally {
      await handle.close();
      await dropDatabase(name);
    }
  });
});
