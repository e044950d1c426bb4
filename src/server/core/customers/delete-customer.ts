import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition } from "../errors.ts";
import { liveLicenseWhere } from "../licenses/status.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { findCustomerInScope } from "./find-customer.ts";

export const ZDeleteCustomerInput = z.object({ id: ZId });
export type TDeleteCustomerInput = z.input<typeof ZDeleteCustomerInput>;

/**
 * Deletes a customer with its ended (revoked or expired) licenses. Refused while any license is
 * active or suspended. The audit log keeps the history.
 */
export async function deleteCustomer(
  ctx: DomainContext,
  input: TDeleteCustomerInput,
): Promise<{ id: string }> {
  requirePermission(ctx.actor, "customer.delete");
  const { id } = parseInput(ZDeleteCustomerInput, input);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const customer = await findCustomerInScope(tx, ctx.actor, id);
    const live = await tx.license.count({ where: { customerId: id, ...liveLicenseWhere(now) } });
    if (live > 0) {
      throw failedPrecondition(
        `customer "${customer.name}" still has ${live} active or suspended license(s); revoke them first`,
      );
    }
    const ended = await tx.license.deleteMany({ where: { customerId: id } });
    await tx.customer.delete({ where: { id }, select: { id: true } });
    audit({
      action: "customer.delete",
      targetType: "customer",
      targetId: id,
      summary: { name: customer.name, endedLicensesDeleted: ended.count },
      groupIds: [customer.groupId], // the row is gone when the event is written
    });
    return { id };
  });
}
