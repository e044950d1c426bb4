// `license-release release publish | list`: a product's releases through the admin API. Their
// dates decide which versions an expired maintain_versions license still runs.
import type { Command } from "commander";
import { adminClient, callServer, type ServerOptions } from "../lib/context.ts";
import { print, type CliIo } from "../lib/io.ts";
import { CliError } from "../lib/run-program.ts";
import { serverOptions } from "./keys.ts";

export interface ReleaseOptions extends ServerOptions {
  product: string;
}

/** The product named by its code (what shipped software sends) or its id. */
async function findProduct(io: CliIo, options: ReleaseOptions) {
  const { client, url } = adminClient(io, options);
  const page = await callServer(url, () =>
    client.products.list.query({ q: options.product, includeArchived: true, pageSize: 200 }),
  );
  const byCode = page.items.find((p) => p.code === options.product);
  if (byCode) return { client, url, product: byCode };
  const byId = await callServer(url, () => client.products.get.query({ id: options.product })).catch(
    (error: unknown) => {
      if (error instanceof CliError && error.message.startsWith("the server answered 404"))
        throw new CliError(`--product: no product has the code or id ${options.product}`);
      throw error;
    },
  );
  return { client, url, product: byId };
}

export async function publishRelease(
  io: CliIo,
  options: ReleaseOptions & { version: string; releasedAt?: string; notes?: string },
) {
  if (options.releasedAt !== undefined && Number.isNaN(new Date(options.releasedAt).getTime()))
    throw new CliError(`--released-at: ${options.releasedAt} is not a time (ISO 8601)`, 2);
  const { client, url, product } = await findProduct(io, options);
  const release = await callServer(url, () =>
    client.releases.publish.mutate({
      productId: product.id,
      version: options.version,
      ...(options.releasedAt !== undefined ? { releasedAt: new Date(options.releasedAt).toISOString() } : {}),
      ...(options.notes !== undefined ? { notes: options.notes } : {}),
    }),
  );
  return { product, release };
}

export async function listReleases(io: CliIo, options: ReleaseOptions) {
  const { client, url, product } = await findProduct(io, options);
  const releases = await callServer(url, () => client.releases.list.query({ productId: product.id }));
  return { product, releases };
}

export function registerRelease(program: Command, io: CliIo): void {
  const release = program
    .command("release")
    .description(
      "a product's releases: versions with release dates (an API key with the super_admin role to publish)",
    );

  serverOptions(
    release
      .command("publish")
      .description("publish a version (semver; a leading v is dropped, build metadata refused)")
      .argument("<version>", "the version, e.g. 1.4.0")
      .requiredOption("--product <code|id>", "the product's code or id")
      .option("--released-at <time>", "the release date (ISO 8601; default: now)")
      .option("--notes <text>", "release notes")
      .option("--json", "machine-readable output"),
  ).action(
    async (
      version: string,
      options: ReleaseOptions & { releasedAt?: string; notes?: string; json?: boolean },
    ) => {
      const { product, release: published } = await publishRelease(io, { ...options, version });
      print(
        io,
        options.json,
        published,
        `published ${product.code} ${published.version}, released ${published.releasedAt}`,
      );
    },
  );

  serverOptions(
    release
      .command("list")
      .description("list a product's releases, newest version first")
      .requiredOption("--product <code|id>", "the product's code or id")
      .option("--json", "machine-readable output"),
  ).action(async (options: ReleaseOptions & { json?: boolean }) => {
    const { product, releases } = await listReleases(io, options);
    const width = Math.max(7, ...releases.map((r) => r.version.length));
    const text = releases.length
      ? [
          `${"version".padEnd(width)}  released`,
          ...releases.map(
            (r) => `${r.version.padEnd(width)}  ${r.releasedAt}${r.notes ? `  ${r.notes}` : ""}`,
          ),
        ].join("\n")
      : `${product.code} has no releases`;
    print(io, options.json, releases, text);
  });
}
