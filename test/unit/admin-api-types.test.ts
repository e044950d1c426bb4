// The SDK's admin client is typed by sdk/src/generated/admin-api.ts, generated from the server's
// router (scripts/generate-admin-api.mjs): both must name the same procedures.
import { expect, it } from "vitest";
import { ADMIN_API_PROCEDURES } from "../../sdk/src/generated/admin-api.ts";
import { appRouter } from "../../src/server/trpc/router.ts";

it("the generated admin API types cover exactly the server's procedures", () => {
  expect([...ADMIN_API_PROCEDURES].sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
  expect(ADMIN_API_PROCEDURES.length).toBeGreaterThan(60);
});
