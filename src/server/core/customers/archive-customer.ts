import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition } from "../errors.ts";
import { liveLicenseWhere } from "../licenses/status.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { findCustomerInScope } from "./find-customer.ts";
import { customerSelect, toCustomerDto, type CustomerDto } from "./select.ts";

export const ZArchiveCustomerInput = z.object({
  id: ZId,
  /** false restores an archived customer */
  archived: z.boolean().default(true),
});
export type TArchiveCustomerInput = z.input<typeof ZArchiveCustomerInput>;

/** Archived customers are hidden from lists and get no new licenses; live licenses block it. */
export async function archiveCustomer(
  ctx: DomainContext,
  input: TArchiveCustomerInput,
): Promise<CustomerDto> {
  requirePermission(ctx.actor, "customer.delete");
  const { id, archived } = parseInput(ZArchiveCustomerInput, input);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const customer = await findCustomerInScope(tx, ctx.actor, id);
    if (archived) {
      const live = await tx.license.count({ where: { customerId: id, ...liveLicenseWhere(now) } });
      if (live > 0) {
        throw failedPrecondition(
          `customer "${customer.name}" still has ${live} active or suspended license(s); revoke them first`,
        );
      }
    }
    const updated = await tx.customer.update({
      where: { id },
      data: { archivedAt: archived ? now : null },
      select: customerSelect,
    });
    audit({
      action: archived ? "customer.archive" : "customer.restore",
      targetType: "customer",
      targetId: id,
      summary: { name: customer.name },
    });
    return toCustomerDto(updated);
  });
}
