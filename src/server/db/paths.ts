import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DbProvider } from "./provider.ts";

/** The repository (or installed app) root: three levels above src/server/db. */
export const appRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const prismaDir = join(appRoot, "prisma");
export const modelsPath = join(prismaDir, "models.prisma");
export const migrationsDir = (provider: DbProvider) => join(prismaDir, "migrations", provider);
/** The data model as of the newest migration; new migrations are diffs from it. */
export const modelSnapshotPath = join(prismaDir, "migrations", "models.snapshot.prisma");
