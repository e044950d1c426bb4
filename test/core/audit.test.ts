import { expect, it } from "vitest";
import { verifyAuditChain, verifyWholeAuditChain } from "../../src/server/core/audit/verify-audit-chain.ts";
import { createCustomer } from "../../src/server/core/customers/create-customer.ts";
import { updateCustomer } from "../../src/server/core/customers/update-customer.ts";
import { describeEachDb, actor } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { makeWorld, unique } from "../support/fixtures.ts";

describeEachDb("audit log", (getDb) => {
  it("records actor, action, target, time, address and the change of every mutation", async () => {
    const db = getDb();
    const { groupA, customer } = await makeWorld(db);
    const editor = actor("editor", [groupA.id], "admin-7");
    await updateCustomer({ ...db.ctx(editor), ip: "203.0.113.9" }, { id: customer.id, company: "ACME GmbH" });
    const event = await db.handle.db.auditEvent.findFirstOrThrow({
      where: { targetId: customer.id, action: "customer.update" },
      select: {
        actorType: true,
        actorId: true,
        actorLabel: true,
        targetType: true,
        ip: true,
        at: true,
        summary: true,
      },
    });
    expect(event).toMatchObject({
      actorType: "admin",
      actorId: "admin-7",
      actorLabel: "editor@example.com",
      targetType: "customer",
      ip: "203.0.113.9",
      at: db.clock.now(),
    });
    expect(JSON.parse(event.summary)).toEqual({ company: { from: "", to: "ACME GmbH" } });
  });

  it("keeps one unbroken chain under concurrent mutations", async () => {
    const db = getDb();
    const { groupA } = await makeWorld(db);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        createCustomer(db.ctx(), { name: unique("Concurrent"), groupId: groupA.id }),
      ),
    );
    const report = await verifyWholeAuditChain(db.ctx(), { batchSize: 10 });
    const count = await db.handle.db.auditEvent.count();
    expect(report).toMatchObject({
      ok: true,
      checked: count,
      lastSeq: count,
      keyedRecords: count,
      legacyRecords: 0,
    });
    // no checkpoint given: said so, not silently "anchored"
    expect(report).toMatchObject({ anchored: false, checkpoint: null });
    expect(report.warnings.join(" ")).toMatch(/no checkpoint/);
  });

  it("reports the first record edited, removed or re-linked", async () => {
    const db = getDb();
    await makeWorld(db);
    const { lastSeq } = (await verifyWholeAuditChain(db.ctx())) as { lastSeq: number };
    const target = Math.max(2, lastSeq - 3);
    const row = await db.handle.db.auditEvent.findUniqueOrThrow({
      where: { seq: target },
      select: { id: true, summary: true },
    });

    await db.handle.db.auditEvent.update({ where: { id: row.id }, data: { summary: '{"forged":true}' } });
    expect(await verifyAuditChain(db.ctx())).toMatchObject({
      ok: false,
      brokenAt: target,
      reason: "hash-mismatch",
    });
    await db.handle.db.auditEvent.update({ where: { id: row.id }, data: { summary: row.summary } });
    expect(await verifyAuditChain(db.ctx())).toMatchObject({ ok: true });

    const next = await db.handle.db.auditEvent.findUniqueOrThrow({
      where: { seq: target + 1 },
      select: { id: true, prevHash: true },
    });
    await db.handle.db.auditEvent.update({ where: { id: next.id }, data: { prevHash: "f".repeat(64) } });
    expect(await verifyAuditChain(db.ctx())).toMatchObject({
      ok: false,
      brokenAt: target + 1,
      reason: "previous-hash-mismatch",
    });
    await db.handle.db.auditEvent.update({ where: { id: next.id }, data: { prevHash: next.prevHash } });

    const deleted = await db.handle.db.auditEvent.findUniqueOrThrow({ where: { seq: target } });
    await db.handle.db.auditEvent.delete({ where: { id: deleted.id } });
    expect(await verifyAuditChain(db.ctx())).toMatchObject({ ok: false, brokenAt: target, reason: "gap" });
    await db.handle.db.auditEvent.create({ data: deleted });
    expect(await verifyAuditChain(db.ctx())).toMatchObject({ ok: true });
  });

  it("lets only admins and above verify the chain; below super_admin only ok/broken", async () => {
    const db = getDb();
    await expectDomainError(verifyAuditChain(db.ctx(actor("editor", []))), "FORBIDDEN");
    expect(await verifyAuditChain(db.ctx(actor("admin", [])))).toEqual({
      ok: true,
      anchored: false,
      summaryOnly: true,
    });
    await expectDomainError(verifyWholeAuditChain(db.ctx(actor("admin", []))), "FORBIDDEN");
    const whole = await verifyAuditChain(db.ctx(actor("super_admin", [])));
    expect(whole.ok).toBe(true);
    expect("checked" in whole && typeof whole.checked === "number").toBe(true);
    // a broken chain is reported as broken, without saying where
    const row = await db.handle.db.auditEvent.findFirstOrThrow({
      orderBy: { seq: "desc" },
      select: { id: true, summary: true },
    });
    await db.handle.db.auditEvent.update({ where: { id: row.id }, data: { summary: '{"forged":true}' } });
    expect(await verifyAuditChain(db.ctx(actor("admin", [])))).toEqual({
      ok: false,
      anchored: false,
      summaryOnly: true,
    });
    await db.handle.db.auditEvent.update({ where: { id: row.id }, data: { summary: row.summary } });
  });
});
