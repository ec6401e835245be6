import { sql } from "kysely"
import { expect, it } from "vitest"
import { describeEachDatabase } from "../src/Testing.ts"
import { journalRow, seedCampaign } from "./rows.ts"

describeEachDatabase("the append-only journal", (ctx) => {
  it("refuses UPDATE, DELETE and TRUNCATE, even for the table's owner", async () => {
    const { db } = ctx.store()
    const { machineId } = await seedCampaign(db)
    await db.insertInto("journal").values(journalRow(machineId)).execute()
    await expect(db.updateTable("journal").set({ actor: "b" }).execute()).rejects.toThrow(/append-only/)
    await expect(db.deleteFrom("journal").execute()).rejects.toThrow(/append-only/)
    await expect(sql`truncate journal cascade`.execute(db)).rejects.toThrow(/append-only/)
    expect(await db.selectFrom("journal").select("actor").execute()).toEqual([{ actor: "a" }])
  })

  it("refuses rewriting a checkpoint", async () => {
    const { db } = ctx.store()
    await seedCampaign(db)
    await db
      .insertInto("checkpoints")
      .values({
        campaign_id: "c",
        seq: 0,
        head: null,
        reason: "demand",
        occurred_at: new Date(),
        key_id: "k",
        signature: "s",
      })
      .execute()
    await expect(db.updateTable("checkpoints").set({ signature: "forged" }).execute()).rejects.toThrow(/append-only/)
  })
})
