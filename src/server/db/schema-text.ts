import type { DbProvider } from "./provider.ts";

/**
 * The full schema for one provider: what scripts/generate.mjs writes, minus the generator block
 * (the schema engine needs only the datasource and the models).
 */
export function providerSchema(provider: DbProvider, models: string): string {
  return `datasource db {\n  provider = "${provider}"\n}\n\n${models}`;
}
