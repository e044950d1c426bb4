// The console's global search (the command palette): licenses by a whole key, a part of one or
// their customer's name, customers by name, email or company, products by name or code, each
// within the caller's groups and by the same filters as their lists.
import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { listCustomers } from "../customers/list-customers.ts";
import { listLicenses } from "../licenses/list-licenses.ts";
import { LICENSE_STATUSES } from "../licenses/status.ts";
import { listProducts } from "../products/list-products.ts";
import { parseInput } from "../shared/parse-input.ts";
import { zQueryInt } from "../shared/schemas.ts";
import { MAX_SEARCH_LENGTH } from "../shared/text-search.ts";

export const ZSearchConsoleInput = z.object({
  q: z
    .string()
    .trim()
    .min(1, "is required")
    .max(MAX_SEARCH_LENGTH, `must be at most ${MAX_SEARCH_LENGTH} characters`)
    .refine((value) => !value.includes("\u0000"), "must not contain NUL characters"),
  /** results of each kind */
  limit: zQueryInt(1, 20).default(5),
});
export type TSearchConsoleInput = z.input<typeof ZSearchConsoleInput>;

export const ZSearchConsoleOutput = z.object({
  licenses: z.array(
    z.object({
      id: z.string(),
      key: z.string(),
      status: z.enum(LICENSE_STATUSES),
      customerName: z.string(),
      productName: z.string(),
    }),
  ),
  customers: z.array(
    z.object({ id: z.string(), name: z.string(), email: z.string().nullable(), company: z.string() }),
  ),
  products: z.array(z.object({ id: z.string(), name: z.string(), code: z.string() })),
});
export type SearchConsoleResult = z.infer<typeof ZSearchConsoleOutput>;

export async function searchConsole(
  ctx: DomainContext,
  input: TSearchConsoleInput,
): Promise<SearchConsoleResult> {
  requirePermission(ctx.actor, "license.read");
  requirePermission(ctx.actor, "customer.read");
  requirePermission(ctx.actor, "catalog.read");
  const { q, limit } = parseInput(ZSearchConsoleInput, input);
  const [licenses, customers, products] = await Promise.all([
    listLicenses(ctx, { q, pageSize: limit }),
    listCustomers(ctx, { q, pageSize: limit }),
    listProducts(ctx, { q, pageSize: limit }),
  ]);
  return {
    licenses: licenses.items.map((l) => ({
      id: l.id,
      key: l.key,
      status: l.status,
      customerName: l.customer.name,
      productName: l.product.name,
    })),
    customers: customers.items.map((c) => ({ id: c.id, name: c.name, email: c.email, company: c.company })),
    products: products.items.map((p) => ({ id: p.id, name: p.name, code: p.code })),
  };
}
