// Licensing API throughput over gRPC on this machine: Validate and Heartbeat with C calls in
// flight for S seconds, and a seat race (200 concurrent activations on a 10-seat license).
// Server and load generator share the machine and the process (loopback). Run by hand:
//   npm run bench -- [sqlite|postgresql] [seconds] [concurrency]
import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChannel, createClient } from "nice-grpc";
import pg from "pg";
import { createGatewayServer } from "../grpc-gateway/server.ts";
import { LicenseServiceDefinition, StatusCode } from "../src/generated/proto/license/v1/license.ts";
import { systemActor, systemClock, type DomainContext } from "../src/server/core/context.ts";
import { createCustomer } from "../src/server/core/customers/create-customer.ts";
import { createFeature } from "../src/server/core/features/create-feature.ts";
import { createGroup } from "../src/server/core/groups/create-group.ts";
import { createLicense } from "../src/server/core/licenses/create-license.ts";
import { createProduct } from "../src/server/core/products/create-product.ts";
import { ensureSigningKey } from "../src/server/core/signing-keys/ensure-signing-key.ts";
import { openDatabase } from "../src/server/db/client.ts";
import { applyMigrations } from "../src/server/db/migrate.ts";
import type { DbTarget } from "../src/server/db/provider.ts";
import { createLogger } from "../src/server/logger.ts";

const provider = process.argv[2] === "postgresql" ? "postgresql" : "sqlite";
const seconds = Number(process.argv[3] ?? 5);
const concurrency = Number(process.argv[4] ?? 32);
const PG = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

async function makeTarget(): Promise<{ target: DbTarget; drop: () => Promise<void> }> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "ls-bench-"));
    return {
      target: { provider, url: join(dir, "bench.db") },
      drop: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const name = `ls_bench_${randomBytes(4).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: PG });
    await client.connect();
    await client.query(sql);
    await client.end();
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(PG);
  url.pathname = `/${name}`;
  return {
    target: { provider, url: url.toString() },
    drop: () => admin(`DROP DATABASE "${name}" WITH (FORCE)`),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function load(name: string, call: () => Promise<unknown>) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await call();
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const rate = latencies.length / seconds;
  console.log(
    `${name.padEnd(22)} ${rate.toFixed(0).padStart(7)} /s   p50 ${percentile(latencies, 50).toFixed(2)} ms   p99 ${percentile(latencies, 99).toFixed(2)} ms`,
  );
}

const { target, drop } = await makeTarget();
await applyMigrations(target);
const handle = await openDatabase(target);
const encryptionKey = randomBytes(32);
const ctx: DomainContext = {
  db: handle.db,
  provider,
  clock: systemClock,
  logger: createLogger({ level: "silent" }),
  actor: systemActor,
  ip: null,
  encryptionKey,
};
await ensureSigningKey(handle, encryptionKey);
const group = await createGroup(ctx, { name: "bench" });
const product = await createProduct(ctx, { code: "bench-app", name: "Bench" });
const feature = await createFeature(ctx, { productId: product.id, code: "export", name: "Export" });
const customer = await createCustomer(ctx, { name: "Bench Co", groupId: group.id });
const license = await createLicense(ctx, {
  customerId: customer.id,
  productId: product.id,
  seatLimit: 1000,
  entitlements: [{ featureId: feature.id }],
});
const gateway = await createGatewayServer({
  config: {
    grpcHost: "127.0.0.1",
    grpcPort: 0,
    encryptionKey,
    licensing: {
      heartbeatToleranceSeconds: 60,
      reaperIntervalSeconds: 0,
      rateLimitPerKey: 100_000_000,
      rateLimitPerPeer: 100_000_000,
    },
  },
  logger: createLogger({ level: "silent" }),
  db: handle,
});
const channel = createChannel(`127.0.0.1:${gateway.port}`);
const client = createClient(LicenseServiceDefinition, channel);
const who = (fingerprint: string) => ({
  productCode: "bench-app",
  fingerprint,
  clientVersion: "1",
  hostname: "",
});

console.log(
  `licensing API over gRPC, ${provider}, ${concurrency} in flight, ${seconds} s each (node ${process.version})`,
);
await load("Validate", () => client.validate({ licenseKey: license.key, client: who("m-0") }));

const sessions = await Promise.all(
  Array.from({ length: concurrency }, (_, i) =>
    client.activate({ licenseKey: license.key, client: who(`m-${i}`) }),
  ),
);
let next = 0;
await load("Heartbeat", () => {
  const i = next++ % sessions.length;
  return client.heartbeat({
    licenseKey: license.key,
    sessionId: sessions[i]?.sessionId ?? "",
    client: who(`m-${i}`),
  });
});

const race = await createLicense(ctx, { customerId: customer.id, productId: product.id, seatLimit: 10 });
const t = performance.now();
const answers = await Promise.all(
  Array.from({ length: 200 }, (_, i) => client.activate({ licenseKey: race.key, client: who(`r-${i}`) })),
);
const granted = answers.filter((a) => a.status === StatusCode.STATUS_CODE_VALID).length;
const open = await handle.db.session.count({ where: { licenseId: race.id, endedAt: null } });
console.log(
  `seat race: 200 concurrent activations on 10 seats -> ${granted} VALID, ${200 - granted} SEAT_LIMIT_REACHED, ${open} open sessions, ${(performance.now() - t).toFixed(0)} ms`,
);

channel.close();
await gateway.shutdown();
await handle.close();
await drop();
process.exit(0);
