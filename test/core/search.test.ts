// Text search in the lists (`q`) and the console's global search, on both databases: LIKE's
// wildcards and its escape character match literally, ASCII case never matters (other letters'
// case on PostgreSQL only: SQLite's LIKE folds ASCII alone, a documented difference), a part of a
// license key finds it with or without its dashes, group scope holds, and the text is bounded.
import { expect, it } from "vitest";
import type { Actor } from "../../src/server/core/context.ts";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { listAdmins } from "../../src/server/core/admins/list-admins.ts";
import { createCustomer } from "../../src/server/core/customers/create-customer.ts";
import { listCustomers } from "../../src/server/core/customers/list-customers.ts";
import { createGroup } from "../../src/server/core/groups/create-group.ts";
import { listGroups } from "../../src/server/core/groups/list-groups.ts";
import { keyFragments } from "../../src/server/core/licenses/license-key.ts";
import { listLicenses } from "../../src/server/core/licenses/list-licenses.ts";
import { createPolicy } from "../../src/server/core/policies/create-policy.ts";
import { listPolicies } from "../../src/server/core/policies/list-policies.ts";
import { createProduct } from "../../src/server/core/products/create-product.ts";
import { listProducts } from "../../src/server/core/products/list-products.ts";
import { searchConsole } from "../../src/server/core/search/search-console.ts";
import { escapeLike } from "../../src/server/core/shared/text-search.ts";
import { describeEachDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { makeGroup, makeLicense, makeProduct, unique } from "../support/fixtures.ts";

/** Names where a wildcard or a backslash read as LIKE reads them would match the wrong one. */
const TRAPS = ["100% pure", "1000 pure", "a_b", "axb", "back\\slash", "backslash"] as const;
/** For each search: the trap it must find, alone. */
const LITERAL: [string, string][] = [
  ["100%", "100% pure"],
  ["a_b", "a_b"],
  ["back\\slash", "back\\slash"],
  ["100% p", "100% pure"],
];

it("escapes LIKE's wildcards and escape character", () => {
  expect(escapeLike("100%_a\\b")).toBe("100\\%\\_a\\\\b");
  expect(escapeLike("plain")).toBe("plain");
});

it("spells a part of a key the ways it can stand in a key", () => {
  expect(keyFragments("abc")).toEqual([]); // too short
  expect(keyFragments("hello world")).toEqual([]); // not key symbols
  // dashes typed anywhere (or not at all) do not matter
  expect(keyFragments("7k3q-dm9")).toContain("7K3Q-DM9");
  expect(keyFragments("7k-3qdm9")).toEqual(keyFragments("7K3QDM9"));
  const spelled = keyFragments("7K3QDM9");
  expect(spelled).toHaveLength(5);
  expect(spelled).toEqual(
    expect.arrayContaining(["7K3QD-M9", "7K3Q-DM9", "7K3-QDM9", "7K-3QDM9", "7-K3QDM-9"]),
  );
});

describeEachDb("search", (getDb) => {
  it("customers: wildcards and backslashes match literally, on every searched column", async () => {
    const db = getDb();
    const group = await makeGroup(db);
    const tag = unique("lit");
    for (const trap of TRAPS) {
      await createCustomer(db.ctx(), { name: `${tag} ${trap}`, groupId: group.id });
      await createCustomer(db.ctx(), {
        name: unique("by-company"),
        company: `${tag} co ${trap}`,
        groupId: group.id,
      });
    }
    for (const [q, found] of LITERAL) {
      const byName = await listCustomers(db.ctx(), { q: `${tag} ${q}` });
      expect(
        byName.items.map((c) => c.name),
        q,
      ).toEqual([`${tag} ${found}`]);
      expect(byName.total).toBe(1);
      const byCompany = await listCustomers(db.ctx(), { q: `${tag} co ${q}` });
      expect(
        byCompany.items.map((c) => c.company),
        q,
      ).toEqual([`${tag} co ${found}`]);
    }
    // a wildcard alone is a character like any other
    const percent = await listCustomers(db.ctx(), { q: "%", groupId: group.id });
    expect(percent.items.map((c) => c.name).sort()).toEqual(
      [`${tag} 100% pure`, expect.stringMatching(/^by-company/)].sort(),
    );
    expect(percent.total).toBe(2);
  });

  it("products, groups, policies and admins: wildcards match literally", async () => {
    const db = getDb();
    const tag = unique("lit").toLowerCase();
    for (const trap of TRAPS) {
      await createProduct(db.ctx(), { code: unique("p"), name: `${tag} ${trap}` });
      await createGroup(db.ctx(), { name: `${tag} ${trap}` });
    }
    const { product } = await makeProduct(db);
    for (const trap of TRAPS) {
      await createPolicy(db.ctx(), { productId: product.id, name: `${tag} ${trap}` });
    }
    await createProduct(db.ctx(), { code: `${tag}-a_b`, name: "code with an underscore" });
    await createProduct(db.ctx(), { code: `${tag}-axb`, name: "code with an x" });
    for (const [q, found] of LITERAL) {
      const text = `${tag} ${q}`;
      expect(
        (await listProducts(db.ctx(), { q: text })).items.map((p) => p.name),
        q,
      ).toEqual([`${tag} ${found}`]);
      expect(
        (await listGroups(db.ctx(), { q: text })).items.map((g) => g.name),
        q,
      ).toEqual([`${tag} ${found}`]);
      expect(
        (await listPolicies(db.ctx(), { productId: product.id, q: text })).items.map((p) => p.name),
        q,
      ).toEqual([`${tag} ${found}`]);
    }
    expect((await listProducts(db.ctx(), { q: `${tag}-a_b` })).items.map((p) => p.code)).toEqual([
      `${tag}-a_b`,
    ]);

    for (const local of ["a_b", "axb"]) {
      await createAdmin(db.ctx(), {
        email: `${local}.${tag}@example.com`,
        role: "viewer",
        authSource: "ldap",
      });
    }
    expect((await listAdmins(db.ctx(), { q: `a_b.${tag}` })).items.map((a) => a.email)).toEqual([
      `a_b.${tag}@example.com`,
    ]);
  });

  it("ignores ASCII case everywhere, other letters' case on PostgreSQL only", async () => {
    const db = getDb();
    const group = await makeGroup(db);
    const tag = unique("case").toLowerCase();
    await createCustomer(db.ctx(), { name: `${tag} Initech`, groupId: group.id });
    await createCustomer(db.ctx(), { name: `${tag} Ärger GmbH`, groupId: group.id });
    expect((await listCustomers(db.ctx(), { q: `${tag.toUpperCase()} INITECH` })).total).toBe(1);
    expect((await listCustomers(db.ctx(), { q: `${tag} initech` })).total).toBe(1);
    expect((await listCustomers(db.ctx(), { q: `${tag} Ärger` })).total).toBe(1);
    // SQLite's LIKE folds the case of ASCII letters only
    expect((await listCustomers(db.ctx(), { q: `${tag} ärger` })).total).toBe(
      db.provider === "postgresql" ? 1 : 0,
    );
    // the policies' name search follows the same rule
    const { product } = await makeProduct(db);
    await createPolicy(db.ctx(), { productId: product.id, name: `${tag} Gold Plan` });
    await createPolicy(db.ctx(), {
      productId: product.id,
      name: `${tag} Trial Plan`,
      kind: "trial",
      type: "node_locked",
      durationDays: 14,
      trialGroupId: group.id,
    });
    expect(
      (await listPolicies(db.ctx(), { productId: product.id, q: "PLAN" })).items.map((p) => p.name).sort(),
    ).toEqual([`${tag} Gold Plan`, `${tag} Trial Plan`]);
    expect(
      (await listPolicies(db.ctx(), { productId: product.id, q: "plan", kind: "standard" })).items.map(
        (p) => p.name,
      ),
    ).toEqual([`${tag} Gold Plan`]);
  });

  it("finds a license by a part of its key, with or without dashes, in any case", async () => {
    const db = getDb();
    const group = await makeGroup(db);
    const { product } = await makeProduct(db);
    const customer = await createCustomer(db.ctx(), { name: unique("Keyholder"), groupId: group.id });
    const license = await makeLicense(db, customer.id, product.id);
    await makeLicense(db, customer.id, product.id);
    const key = license.key; // e.g. 7K3QD-M9XWB-...
    const middle = key.slice(8, 19); // across a dash, from the middle
    const ids = async (q: string) => (await listLicenses(db.ctx(), { q })).items.map((l) => l.id);
    expect(await ids(middle)).toEqual([license.id]);
    expect(await ids(middle.toLowerCase())).toEqual([license.id]);
    expect(await ids(middle.replace(/-/g, ""))).toEqual([license.id]);
    expect(await ids(key.slice(6, 10))).toContain(license.id); // four symbols, within a group
    expect(await ids(key)).toEqual([license.id]);
    // three symbols are no part of a key to search for (they match names only)
    expect(await ids(key.slice(6, 9))).not.toContain(license.id);
    // a name still finds the customer's licenses
    expect((await ids(customer.name)).sort()).toHaveLength(2);

    const found = await searchConsole(db.ctx(), { q: middle.replace(/-/g, "").toLowerCase() });
    expect(found.licenses).toEqual([
      {
        id: license.id,
        key,
        status: "active",
        customerName: customer.name,
        productName: product.name,
      },
    ]);
  });

  it("keeps to the caller's groups", async () => {
    const db = getDb();
    const [mine, theirs] = [await makeGroup(db), await makeGroup(db)];
    const { product } = await makeProduct(db);
    const tag = unique("scope");
    const own = await createCustomer(db.ctx(), { name: `${tag} Own`, groupId: mine.id });
    const other = await createCustomer(db.ctx(), { name: `${tag} Other`, groupId: theirs.id });
    const ownLicense = await makeLicense(db, own.id, product.id);
    const otherLicense = await makeLicense(db, other.id, product.id);
    const editor: Actor = { type: "admin", id: "e", label: "editor", role: "editor", groupIds: [mine.id] };
    const ctx = db.ctx(editor);

    expect((await listCustomers(ctx, { q: tag })).items.map((c) => c.id)).toEqual([own.id]);
    expect((await listCustomers(ctx, { q: tag, groupId: theirs.id })).total).toBe(0);
    expect((await listLicenses(ctx, { q: tag })).items.map((l) => l.id)).toEqual([ownLicense.id]);
    expect((await listLicenses(ctx, { q: otherLicense.key.slice(6, 17) })).total).toBe(0);
    expect((await listLicenses(ctx, { q: otherLicense.key })).total).toBe(0);
    expect((await listGroups(ctx, { q: theirs.name })).total).toBe(0);
    expect((await listGroups(ctx, { q: mine.name })).total).toBe(1);

    const found = await searchConsole(ctx, { q: tag });
    expect(found.customers.map((c) => c.id)).toEqual([own.id]);
    expect(found.licenses.map((l) => l.id)).toEqual([ownLicense.id]);
    const byKey = await searchConsole(ctx, { q: otherLicense.key.slice(6, 17) });
    expect(byKey.licenses).toEqual([]);
    // a wildcard search on SQLite takes another path (ids first): the scope holds there too
    expect((await listCustomers(ctx, { q: `${tag}%` })).total).toBe(0);
    const underscored = await createCustomer(db.ctx(), { name: `${tag}_x`, groupId: theirs.id });
    expect((await listCustomers(db.ctx(), { q: `${tag}_x` })).items.map((c) => c.id)).toEqual([
      underscored.id,
    ]);
    expect((await listCustomers(ctx, { q: `${tag}_x` })).total).toBe(0);
  });

  it("bounds the search text and the results, refusing more without a change", async () => {
    const db = getDb();
    const long = "x".repeat(201);
    await expectDomainError(listCustomers(db.ctx(), { q: long }), "INVALID_ARGUMENT");
    await expectDomainError(listLicenses(db.ctx(), { q: long }), "INVALID_ARGUMENT");
    await expectDomainError(listProducts(db.ctx(), { q: long }), "INVALID_ARGUMENT");
    await expectDomainError(listGroups(db.ctx(), { q: long }), "INVALID_ARGUMENT");
    const { product } = await makeProduct(db);
    await expectDomainError(listPolicies(db.ctx(), { productId: product.id, q: long }), "INVALID_ARGUMENT");
    const tooLong = await expectDomainError(searchConsole(db.ctx(), { q: long }), "INVALID_ARGUMENT");
    expect(tooLong.fields).toEqual([{ path: "q", message: "must be at most 200 characters" }]);
    await expectDomainError(searchConsole(db.ctx(), { q: "   " }), "INVALID_ARGUMENT");
    await expectDomainError(searchConsole(db.ctx(), { q: "a", limit: 21 }), "INVALID_ARGUMENT");
    // 200 characters are fine, and the result of each kind is capped by `limit`
    expect((await listCustomers(db.ctx(), { q: "x".repeat(200) })).total).toBe(0);
    const group = await makeGroup(db);
    const tag = unique("many");
    for (let i = 0; i < 4; i++) await createCustomer(db.ctx(), { name: `${tag} ${i}`, groupId: group.id });
    const capped = await searchConsole(db.ctx(), { q: tag, limit: 3 });
    expect(capped.customers).toHaveLength(3);
    // a viewer may search; a licensed client may not
    const viewer: Actor = { type: "admin", id: "v", label: "viewer", role: "viewer", groupIds: [group.id] };
    expect((await searchConsole(db.ctx(viewer), { q: tag })).customers).toHaveLength(4);
    const client: Actor = { type: "client", id: null, label: "client", role: "viewer", groupIds: [] };
    await expectDomainError(searchConsole(db.ctx(client), { q: tag }), "FORBIDDEN");
  });
});
