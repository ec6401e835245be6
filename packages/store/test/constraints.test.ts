import { expect, it } from "vitest"
import { describeEachDatabase } from "../src/Testing.ts"
import { journalRow, seedCampaign } from "./rows.ts"

const unique = /duplicate key value violates unique constraint/
const check = /violates check constraint/
const foreignKey = /violates foreign key constraint/

describeEachDatabase("constraints", (ctx) => {
  it("refuse a second journal row with the same sequence number in a campaign", async () => {
    const { db } = ctx.store()
    const { machineId } = await seedCampaign(db)
    await db.insertInto("journal").values(journalRow(machineId, 1)).execute()
    await expect(
      db
        .insertInto("journal")
        .values({ ...journalRow(machineId, 1), hash: "other" })
        .execute(),
    ).rejects.toThrow(unique)
    await db.insertInto("journal").values(journalRow(machineId, 2)).execute()
  })

  it("refuse a second timer with the same key on a machine", async () => {
    const { db } = ctx.store()
    const { machineId } = await seedCampaign(db)
    const timer = {
      campaign_id: "c",
      machine_id: machineId,
      key: "remind:t",
      due_at: new Date(),
      event: "{}",
      status: "pending" as const,
    }
    await db.insertInto("timers").values(timer).execute()
    await expect(db.insertInto("timers").values(timer).execute()).rejects.toThrow(unique)
    // the conflict a scheduler relies on to schedule a timer once
    const again = await db
      .insertInto("timers")
      .values(timer)
      .onConflict((oc) => oc.columns(["machine_id", "key"]).doNothing())
      .execute()
    expect(again[0]?.numInsertedOrUpdatedRows).toBe(0n)
  })

  it("refuse a second message with the same dedupe key", async () => {
    const { db } = ctx.store()
    const { machineId } = await seedCampaign(db)
    const message = {
      campaign_id: "c",
      machine_id: machineId,
      kind: "event" as const,
      dedupe_key: "m1",
      event: "{}",
      status: "pending" as const,
      available_at: new Date(),
    }
    await db.insertInto("messages").values(message).execute()
    await expect(db.insertInto("messages").values(message).execute()).rejects.toThrow(unique)
  })

  it("keep one campaign machine per campaign and one machine per unit", async () => {
    const { db } = ctx.store()
    await seedCampaign(db)
    const machine = {
      campaign_id: "c",
      snapshot: "{}",
      version: 1,
      machine_hash: "h",
      phase: null,
      status: "s",
      overdue: false,
      updated_at: new Date(),
    }
    await expect(
      db
        .insertInto("machines")
        .values({ ...machine, kind: "campaign", unit_key: null })
        .execute(),
    ).rejects.toThrow(unique)
    await db
      .insertInto("machines")
      .values({ ...machine, kind: "unit", unit_key: "u" })
      .execute()
    await expect(
      db
        .insertInto("machines")
        .values({ ...machine, kind: "unit", unit_key: "u" })
        .execute(),
    ).rejects.toThrow(unique)
    await expect(
      db
        .insertInto("machines")
        .values({ ...machine, kind: "unit", unit_key: null })
        .execute(),
    ).rejects.toThrow(check)
  })

  it("refuse a definition version or content hash twice", async () => {
    const { db } = ctx.store()
    await db.insertInto("definitions").values({ key: "d", version: 1, hash: "h1", body: "{}" }).execute()
    await expect(
      db.insertInto("definitions").values({ key: "d", version: 1, hash: "h2", body: "{}" }).execute(),
    ).rejects.toThrow(unique)
    await expect(
      db.insertInto("definitions").values({ key: "d", version: 2, hash: "h1", body: "{}" }).execute(),
    ).rejects.toThrow(unique)
  })

  it("refuse a status or role outside its set", async () => {
    const { db } = ctx.store()
    await seedCampaign(db)
    await expect(
      db
        .updateTable("campaigns")
        .set({ status: "paused" as never })
        .execute(),
    ).rejects.toThrow(check)
    await expect(
      db
        .insertInto("principals")
        .values({ id: "x", name: "x", role: "admin" as never, unit_key: null, disabled_at: null })
        .execute(),
    ).rejects.toThrow(check)
    // only auditors act without a unit
    await expect(
      db
        .insertInto("principals")
        .values({ id: "y", name: "y", role: "unit", unit_key: null, disabled_at: null })
        .execute(),
    ).rejects.toThrow(check)
  })

  it("refuse rows that point nowhere", async () => {
    const { db } = ctx.store()
    await expect(
      db
        .insertInto("campaigns")
        .values({ id: "c", definition_id: "42", status: "deployed", journal_head: null })
        .execute(),
    ).rejects.toThrow(foreignKey)
    await expect(
      db.insertInto("report_figures").values({ report_id: "42", figure_key: "f", value: "1" }).execute(),
    ).rejects.toThrow(foreignKey)
  })
})
