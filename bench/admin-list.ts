// The admin list/search of licenses at 100k licenses: pages of 50 with filters and sorts, as the
// admin UI asks for them, through the domain operation (what tRPC and REST call).
import { randomBytes } from "node:crypto";
import { systemActor, systemClock, type Actor, type DomainContext } from "../src/server/core/context.ts";
import { listLicenses, type TListLicensesInput } from "../src/server/core/licenses/list-licenses.ts";
import { openDatabase } from "../src/server/db/client.ts";
import { createLogger } from "../src/server/logger.ts";
import type { Seeded } from "./lib/seed.ts";

export interface ListFigures {
  p50: number;
  p95: number;
  queries: number;
  slowest: { name: string; p95: number };
}

export async function benchAdminList(seeded: Seeded, rounds: number): Promise<ListFigures> {
  const handle = await openDatabase(seeded.target);
  const group = await handle.db.group.findFirstOrThrow({ select: { id: true } });
  const product = await handle.db.product.findFirstOrThrow({ select: { id: true } });
  const customer = await handle.db.customer.findFirstOrThrow({ select: { id: true } });
  const ctx = (actor: Actor): DomainContext => ({
    db: handle.db,
    provider: handle.provider,
    clock: systemClock,
    logger: createLogger({ level: "silent" }),
    actor,
    ip: null,
    encryptionKey: randomBytes(32),
  });
  const admin: Actor = { type: "admin", id: "bench", label: "bench", role: "admin", groupIds: [group.id] };
  const cases: [string, Actor, TListLicensesInput][] = [
    ["newest first", systemActor, {}],
    ["active, by expiry", systemActor, { status: "active", sort: "expiresAt", direction: "asc" }],
    ["expiring in 30 days", admin, { expiringWithinDays: 30, sort: "expiresAt", direction: "asc" }],
    ["search customer name", admin, { q: "Customer 42", sort: "createdAt" }],
    ["one customer", admin, { customerId: customer.id }],
    ["product, suspended, page 20", systemActor, { productId: product.id, status: "suspended", page: 20 }],
    ["by key", systemActor, { q: seeded.keys[12345] ?? "" }],
    ["page 200 of all", systemActor, { page: 200, sort: "updatedAt" }],
  ];
  const all: number[] = [];
  let slowest = { name: "", p95: 0 };
  for (const [name, actor, input] of cases) {
    const times: number[] = [];
    await listLicenses(ctx(actor), { ...input, pageSize: 50 });
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      const page = await listLicenses(ctx(actor), { ...input, pageSize: 50 });
      times.push(performance.now() - t);
      if (page.items.length === 0 && name !== "product, suspended, page 20")
        throw new Error(`${name}: empty page`);
    }
    times.sort((a, b) => a - b);
    const p95 = times[Math.floor(times.length * 0.95)] ?? 0;
    if (p95 > slowest.p95) slowest = { name, p95 };
    if (process.env.BENCH_VERBOSE)
      console.log(
        `  ${name}: p50 ${times[Math.floor(times.length / 2)]?.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`,
      );
    all.push(...times);
  }
  await handle.close();
  all.sort((a, b) => a - b);
  return {
    p50: all[Math.floor(all.length * 0.5)] ?? 0,
    p95: all[Math.floor(all.length * 0.95)] ?? 0,
    queries: all.length,
    slowest,
  };
}
