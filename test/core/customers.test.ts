import { expect, it } from "vitest";
import { archiveCustomer } from "../../src/server/core/customers/archive-customer.ts";
import { createCustomer } from "../../src/server/core/customers/create-customer.ts";
import { deleteCustomer } from "../../src/server/core/customers/delete-customer.ts";
import { getCustomer } from "../../src/server/core/customers/get-customer.ts";
import { listCustomers } from "../../src/server/core/customers/list-customers.ts";
import { updateCustomer } from "../../src/server/core/customers/update-customer.ts";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { revokeLicense } from "../../src/server/core/licenses/revoke-license.ts";
import { describeEachDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { makeGroup, makeWorld, unique } from "../support/fixtures.ts";

describeEachDb("customers", (getDb) => {
  it("creates, reads and updates a customer with metadata", async () => {
    const db = getDb();
    const group = await makeGroup(db);
    const customer = await createCustomer(db.ctx(), {
      name: "Initech",
      email: "it@initech.example",
      company: "Initech LLC",
      groupId: group.id,
      metadata: { crmId: 42, tags: ["gold"] },
    });
    expect(customer).toMatchObject({
      name: "Initech",
      groupId: group.id,
      groupName: group.name,
      licenseCount: 0,
    });
    expect(await getCustomer(db.ctx(), { id: customer.id })).toEqual(customer);
    const updated = await updateCustomer(db.ctx(), { id: customer.id, email: null, metadata: { crmId: 43 } });
    expect(updated).toMatchObject({ email: null, metadata: { crmId: 43 } });
    const stored = await db.handle.db.customer.findUniqueOrThrow({
      where: { id: customer.id },
      select: { metadata: true, email: true },
    });
    expect(stored).toEqual({ metadata: '{"crmId":43}', email: null });
    await expectDomainError(
      createCustomer(db.ctx(), { name: "Lost", groupId: "no-such-group" }),
      "NOT_FOUND",
    );
  });

  it("searches case-insensitively, sorts and paginates on the server", async () => {
    const db = getDb();
    const group = await makeGroup(db);
    const tag = unique("zeta").toLowerCase();
    for (const name of ["Charlie", "alpha", "Bravo", "delta", "Echo"]) {
      await createCustomer(db.ctx(), { name: `${name} ${tag}`, groupId: group.id });
    }
    const first = await listCustomers(db.ctx(), {
      q: tag.toUpperCase(),
      sort: "createdAt",
      direction: "asc",
      pageSize: 2,
    });
    expect(first.total).toBe(5);
    expect(first.items.map((c) => c.name.split(" ")[0])).toEqual(["Charlie", "alpha"]);
    const third = await listCustomers(db.ctx(), {
      q: tag,
      sort: "createdAt",
      direction: "asc",
      pageSize: 2,
      page: 3,
    });
    expect(third.items.map((c) => c.name.split(" ")[0])).toEqual(["Echo"]);
    const byGroup = await listCustomers(db.ctx(), {
      groupId: group.id,
      sort: "createdAt",
      direction: "desc",
    });
    expect(byGroup.items[0]?.name.startsWith("Echo")).toBe(true);
  });

  it("refuses to archive or delete a customer with active licenses; deletes after revocation", async () => {
    const db = getDb();
    const { customer, product, license } = await makeWorld(db);
    const suspended = await createLicense(db.ctx(), { customerId: customer.id, productId: product.id });
    await expectDomainError(archiveCustomer(db.ctx(), { id: customer.id }), "FAILED_PRECONDITION");
    const error = await expectDomainError(
      deleteCustomer(db.ctx(), { id: customer.id }),
      "FAILED_PRECONDITION",
    );
    expect(error.message).toMatch(/2 active or suspended license/);
    expect(await db.handle.db.customer.count({ where: { id: customer.id } })).toBe(1);

    await revokeLicense(db.ctx(), { id: license.id });
    await revokeLicense(db.ctx(), { id: suspended.id });
    await archiveCustomer(db.ctx(), { id: customer.id });
    expect((await listCustomers(db.ctx(), { q: customer.name })).total).toBe(0);
    expect((await listCustomers(db.ctx(), { q: customer.name, includeArchived: true })).total).toBe(1);
    await expectDomainError(
      createLicense(db.ctx(), { customerId: customer.id, productId: product.id }),
      "FAILED_PRECONDITION",
    );

    await deleteCustomer(db.ctx(), { id: customer.id });
    expect(await db.handle.db.customer.count({ where: { id: customer.id } })).toBe(0);
    expect(await db.handle.db.license.count({ where: { customerId: customer.id } })).toBe(0);
    const event = await db.handle.db.auditEvent.findFirstOrThrow({
      where: { targetId: customer.id, action: "customer.delete" },
      select: { summary: true },
    });
    expect(JSON.parse(event.summary)).toMatchObject({ endedLicensesDeleted: 2 });
  });
});
