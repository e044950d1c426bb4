// The admin console's heavier operations at 100k licenses (the seed of bench/lib/seed.ts), through
// the domain operations tRPC and REST call: a search by a key fragment (the list and the command
// palette's search), the CSV export of every license (pages of 500, as the download streams them),
// and a bulk suspend of 500 licenses in one transaction. Runs on its own:
//   node --expose-gc --import tsx bench/console.ts [--db sqlite|postgresql|both] [--rounds 20]
// (without --expose-gc the export's heap figure includes garbage and is only reported)
import { randomBytes } from "node:crypto";
import { systemActor, systemClock, type DomainContext } from "../src/server/core/context.ts";
import { bulkChangeLicenses } from "../src/server/core/licenses/bulk-change-licenses.ts";
import { exportLicenses } from "../src/server/core/licenses/export-licenses.ts";
import { listLicenses } from "../src/server/core/licenses/list-licenses.ts";
import { searchConsole } from "../src/server/core/search/search-console.ts";
import { openDatabase } from "../src/server/db/client.ts";
import type { DbProvider } from "../src/server/db/provider.ts";
import { createLogger } from "../src/server/logger.ts";
import { csvText } from "../src/server/trpc/csv-export.ts";
import { seed } from "./lib/seed.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const rounds = Number(arg("rounds", "20"));
const which = arg("db", "both");
const providers: DbProvider[] = which === "both" ? ["sqlite", "postgresql"] : [which as DbProvider];

function quantiles(times: number[]): { p50: number; p95: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
  return { p50: at(0.5), p95: at(0.95) };
}

function row(name: string, figure: string, target: string, ok: boolean | null): void {
  const verdict = ok === null ? "" : ok ? "  ok" : "  MISSED";
  console.log(`${name.padEnd(58)} ${figure.padEnd(34)} ${target}${verdict}`);
}

async function timed(times: number[], work: () => Promise<unknown>): Promise<void> {
  const t = performance.now();
  await work();
  times.push(performance.now() - t);
}

async function run(provider: DbProvider): Promise<void> {
  const t0 = performance.now();
  const seeded = await seed(provider);
  row(
    `[${provider}] seed 100k licenses`,
    `${((performance.now() - t0) / 1000).toFixed(1)} s`,
    "reported",
    null,
  );
  const handle = await openDatabase(seeded.target);
  const ctx: DomainContext = {
    db: handle.db,
    provider: handle.provider,
    clock: systemClock,
    logger: createLogger({ level: "silent" }),
    actor: systemActor,
    ip: null,
    encryptionKey: randomBytes(32),
  };
  try {
    // a fragment from the middle of a key, lower case and without its dashes, as people paste it
    const key = seeded.keys[4321] ?? "";
    const fragment = key.replace(/-/g, "").slice(7, 15).toLowerCase();
    const listTimes: number[] = [];
    const paletteTimes: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await timed(listTimes, async () => {
        const page = await listLicenses(ctx, { q: fragment, pageSize: 25 });
        if (!page.items.some((l) => l.key === key))
          throw new Error("the key fragment did not find its license");
      });
      await timed(paletteTimes, async () => {
        const found = await searchConsole(ctx, { q: fragment });
        if (!found.licenses.some((l) => l.key === key))
          throw new Error("the palette did not find the license");
      });
    }
    const list = quantiles(listTimes);
    row(
      `[${provider}] licenses list, q = key fragment (8 symbols)`,
      `p50 ${list.p50.toFixed(1)} ms, p95 ${list.p95.toFixed(1)} ms`,
      "p95 <= 200 ms",
      list.p95 <= 200,
    );
    const palette = quantiles(paletteTimes);
    row(
      `[${provider}] command palette search (licenses+customers+products)`,
      `p50 ${palette.p50.toFixed(1)} ms, p95 ${palette.p95.toFixed(1)} ms`,
      "p95 <= 250 ms",
      palette.p95 <= 250,
    );

    // the whole list as CSV: rows/s and how much the heap grows (one page is held at a time)
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    let rows = 0;
    let bytes = 0;
    const t1 = performance.now();
    const exported = await exportLicenses(ctx, {});
    for await (const page of exported.pages) {
      rows += page.length;
      bytes += Buffer.byteLength(csvText(page));
      // with --expose-gc the live heap (what the export holds), else the peak with garbage
      global.gc?.();
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    const exportSeconds = (performance.now() - t1) / 1000;
    if (rows < 100_000) throw new Error(`the export has ${rows} rows`);
    row(
      `[${provider}] CSV export of every license`,
      `${Math.round(rows / exportSeconds)} rows/s (${rows} rows, ${(bytes / 1e6).toFixed(1)} MB, ${exportSeconds.toFixed(1)} s)`,
      ">= 5000 rows/s",
      rows / exportSeconds >= 5000,
    );
    const growthMb = (heapPeak - heapBefore) / 1e6;
    // with gc per page the export's rows/s above includes 200 full collections: read it without
    row(
      `[${provider}]   heap growth during the export${global.gc ? " (live, gc per page)" : " (incl. garbage)"}`,
      `${growthMb.toFixed(0)} MB`,
      "<= 150 MB",
      global.gc ? growthMb <= 150 : null,
    );

    // 500 licenses suspended in one call (one transaction, one audit record each)
    const ids = (
      await handle.db.license.findMany({ where: { status: "active" }, select: { id: true }, take: 500 })
    ).map((l) => l.id);
    const t2 = performance.now();
    const result = await bulkChangeLicenses(ctx, { action: "suspend", ids, reason: "bench" });
    const bulkMs = performance.now() - t2;
    if (result.applied.length !== 500) throw new Error(`bulk applied ${result.applied.length} of 500`);
    row(
      `[${provider}] bulk suspend of 500 licenses`,
      `${(bulkMs / 1000).toFixed(2)} s`,
      "<= 5 s",
      bulkMs <= 5000,
    );
  } finally {
    await handle.close();
    await seeded.drop();
  }
}

console.log(`node ${process.version}, ${rounds} rounds per search`);
for (const provider of providers) await run(provider);
