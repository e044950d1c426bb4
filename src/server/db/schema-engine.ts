// Prisma's WebAssembly schema engine, driven through a driver adapter: migrations without the
// Rust binary that the Prisma CLI would download (see docs/toolchain.md).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { SchemaEngine, SchemaFilter } from "@prisma/schema-engine-wasm";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";

const filters: SchemaFilter = { externalTables: [], externalEnums: [] };
let wasmReady: Promise<void> | undefined;

function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    // the .wasm file is not in the package's exports; it sits beside the exported glue module
    const wasmPath = require
      .resolve("@prisma/schema-engine-wasm/schema_engine_bg")
      .replace(/schema_engine_bg\.js$/, "schema_engine_bg.wasm");
    const bytes = await readFile(wasmPath);
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bg });
    const exports = instance.exports as Record<string, unknown> & { __wbindgen_start?: () => void };
    (bg as unknown as { __wbg_set_wasm(e: unknown): void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start?.();
  })();
  return wasmReady;
}

/** Replaces the engine's opaque "External error id#N" by the adapter's real error. */
function explain(error: unknown, factory: ReturnType<typeof bindMigrationAwareSqlAdapterFactory>): Error {
  const message = error instanceof Error ? error.message : String(error);
  const match = /External error id#(\d+)/.exec(message);
  if (match?.[1]) {
    const record = factory.errorRegistry.consumeError(Number(match[1]));
    if (record) return new Error(`${message}: ${JSON.stringify(record.error)}`);
  }
  return error instanceof Error ? error : new Error(message);
}

export interface EngineHandle {
  diff(from: DiffSource, to: DiffSource): Promise<string>;
  applyMigrations(list: MigrationListInput): Promise<string[]>;
  /** Frees the engine and closes every connection it opened. */
  close(): Promise<void>;
}

export type DiffSource = { tag: "empty" } | { tag: "schemaDatamodel"; schema: string };

export interface MigrationListInput {
  baseDir: string;
  lockfile: string | null;
  migrations: { name: string; sql: string }[];
}

/**
 * Opens the schema engine over a driver adapter. `schema` is the full Prisma schema of the
 * adapter's provider (datasource block included).
 */
export async function openSchemaEngine(
  adapter: SqlMigrationAwareDriverAdapterFactory,
  schema: string,
): Promise<EngineHandle> {
  await loadWasm();
  const opened: SqlDriverAdapter[] = [];
  const track = async (connect: () => Promise<SqlDriverAdapter>) => {
    const connection = await connect();
    opened.push(connection);
    return connection;
  };
  const factory = bindMigrationAwareSqlAdapterFactory({
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    connect: () => track(() => adapter.connect()),
    connectToShadowDb: () => track(() => adapter.connectToShadowDb()),
  });
  const engine: SchemaEngine = await (
    bg as unknown as {
      SchemaEngine: { new: (o: unknown, log: (m: string) => void, a: unknown) => Promise<SchemaEngine> };
    }
  ).SchemaEngine.new({ datamodels: [["schema.prisma", schema]] }, () => {}, factory);

  const run = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (error) {
      throw explain(error, factory);
    }
  };

  return {
    diff: (from, to) =>
      run(async () => {
        const target = (s: DiffSource) =>
          s.tag === "empty"
            ? { tag: "empty" as const }
            : { tag: "schemaDatamodel" as const, files: [{ path: "schema.prisma", content: s.schema }] };
        const result = await engine.diff({
          from: target(from),
          to: target(to),
          script: true,
          exitCode: null,
          filters,
        });
        return result.stdout ?? "";
      }),
    applyMigrations: (list) =>
      run(async () => {
        const output = await engine.applyMigrations({
          migrationsList: {
            baseDir: list.baseDir,
            lockfile: { path: "migration_lock.toml", content: list.lockfile },
            shadowDbInitScript: "",
            migrationDirectories: list.migrations.map((m) => ({
              path: m.name,
              migrationFile: { path: "migration.sql", content: { tag: "ok" as const, value: m.sql } },
            })),
          },
          filters,
        });
        return output.appliedMigrationNames;
      }),
    close: async () => {
      engine.free();
      await Promise.all(opened.map((connection) => connection.dispose()));
    },
  };
}
