// The admin API's latency of a license change (PATCH /api/v1/licenses/{id} through the real REST
// handler, API-key auth), with and without webhook endpoints wanting its event: what writing the
// event (the outbox) and its deliveries adds to a change. Runs on its own:
//   npx tsx bench/license-change.ts [--db sqlite|postgresql|both] [--rounds 400] [--endpoints 3]
// On a commit without events it measures the "before" figure (the endpoint rows are skipped).
import { randomBytes } from "node:crypto";
import { LoginLimiter } from "../src/server/auth/rate-limit.ts";
import { createAdmin } from "../src/server/core/admins/create-admin.ts";
import { createApiKey } from "../src/server/core/api-keys/create-api-key.ts";
import { systemActor, systemClock, type DomainContext } from "../src/server/core/context.ts";
import { createCustomer } from "../src/server/core/customers/create-customer.ts";
import { createGroup } from "../src/server/core/groups/create-group.ts";
import { createLicense } from "../src/server/core/licenses/create-license.ts";
import { createProduct } from "../src/server/core/products/create-product.ts";
import { openDatabase } from "../src/server/db/client.ts";
import { applyMigrations } from "../src/server/db/migrate.ts";
import type { DbProvider } from "../src/server/db/provider.ts";
import { createLogger } from "../src/server/logger.ts";
import type { ApiServices } from "../src/server/trpc/context.ts";
import { handleRestRequest } from "../src/server/trpc/handlers.ts";
import { makeTarget } from "./lib/seed.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const rounds = Number(arg("rounds", "400"));
const endpointCount = Number(arg("endpoints", "3"));
const which = arg("db", "both");
const providers: DbProvider[] = which === "both" ? ["sqlite", "postgresql"] : [which as DbProvider];

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
}

async function run(provider: DbProvider): Promise<void> {
  const { target, drop } = await makeTarget(provider);
  await applyMigrations(target);
  const handle = await openDatabase(target);
  const encryptionKey = randomBytes(32);
  const logger = createLogger({ level: "silent" });
  const ctx: DomainContext = {
    db: handle.db,
    provider: handle.provider,
    clock: systemClock,
    logger,
    actor: systemActor,
    ip: null,
    encryptionKey,
  };
  try {
    const group = await createGroup(ctx, { name: "Bench" });
    const product = await createProduct(ctx, { code: "bench-app", name: "Bench app" });
    const customer = await createCustomer(ctx, { name: "Bench customer", groupId: group.id });
    const license = await createLicense(ctx, {
      customerId: customer.id,
      productId: product.id,
      type: "floating",
      seatLimit: 5,
    });
    const admin = await createAdmin(ctx, {
      email: "bench@example.com",
      role: "super_admin",
      password: "bench-password-1234",
    });
    const { key } = await createApiKey(
      {
        ...ctx,
        actor: { type: "admin", id: admin.id, label: admin.email, role: "super_admin", groupIds: [] },
      },
      { name: "bench", role: "super_admin" },
    );
    const services: ApiServices = {
      db: handle.db,
      provider: handle.provider,
      clock: systemClock,
      logger,
      jwtSecret: "b".repeat(40),
      encryptionKey,
      limiter: new LoginLimiter(),
      directory: null,
    };
    const patch = async (seatLimit: number) => {
      const response = await handleRestRequest(
        new Request(`http://127.0.0.1/api/v1/licenses/${license.id}`, {
          method: "PATCH",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ seatLimit }),
        }),
        services,
      );
      if (response.status !== 200)
        throw new Error(`PATCH answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    };
    const measure = async (label: string) => {
      for (let i = 0; i < 30; i++) await patch(5 + (i % 2));
      const times: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const t = performance.now();
        await patch(5 + (i % 2));
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(
        `${provider.padEnd(10)} ${label.padEnd(34)} p50 ${quantile(times, 0.5).toFixed(2)} ms  p95 ${quantile(times, 0.95).toFixed(2)} ms  (${rounds} changes)`,
      );
    };
    await measure("no webhook endpoints");
    const db = handle.db as unknown as Record<
      string,
      { create?: (args: unknown) => Promise<unknown> } | undefined
    >;
    if (db.webhookEndpoint?.create && endpointCount > 0) {
      for (let i = 0; i < endpointCount; i++) {
        await db.webhookEndpoint.create({
          data: {
            url: `https://hooks${i}.example.com/x`,
            events: '["*"]',
            secretEnc: "unused",
            enabled: true,
          },
          select: { id: true },
        });
      }
      await measure(`${endpointCount} endpoints wanting the event`);
    } else if (endpointCount > 0) {
      console.log(
        `${provider.padEnd(10)} (no webhook endpoints on this commit: the "before" figure is the one above)`,
      );
    }
  } finally {
    await handle.close();
    await drop();
  }
}

for (const provider of providers) await run(provider);
