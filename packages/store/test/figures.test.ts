import { sql } from "kysely"
import { expect, it } from "vitest"
import { describeEachDatabase } from "../src/Testing.ts"
import { seedCampaign } from "./rows.ts"

describeEachDatabase("report figures are exact numerics", (ctx) => {
  const figures = async (values: readonly string[]) => {
    const { db } = ctx.store()
    await seedCampaign(db)
    for (const [index, value] of values.entries()) {
      const report = await db
        .insertInto("reports")
        .values({
          campaign_id: "c",
          unit_key: `u${index}`,
          task_key: "t",
          attempt: 1,
          status: "approved",
          narrative: "{}",
          submitted_by: "p",
          submitted_at: new Date(),
        })
        .returning("id")
        .executeTakeFirstOrThrow()
      await db.insertInto("report_figures").values({ report_id: report.id, figure_key: "f", value }).execute()
    }
    const total = await db
      .selectFrom("report_figures")
      .select((eb) => eb.fn.sum<string>("value").as("total"))
      .executeTakeFirstOrThrow()
    return total.total
  }

  it("sums 0.1 and 0.2 to exactly 0.3", async () => {
    expect(await figures(["0.1", "0.2"])).toBe("0.3")
  })

  it("keeps a 30-digit value, and a sum with it, to the last digit", async () => {
    expect(await figures(["123456789012345678901234567890", "0.1"])).toBe("123456789012345678901234567890.1")
    const stored = await ctx
      .store()
      .db.selectFrom("report_figures")
      .select("value")
      .orderBy("report_id")
      .executeTakeFirstOrThrow()
    expect(stored.value).toBe("123456789012345678901234567890")
  })

  it("returns numerics as strings, with their scale", async () => {
    const { rows } = await sql<{ a: string; b: string }>`select 1.50::numeric as a, 2::numeric as b`.execute(
      ctx.store().db,
    )
    expect(rows).toEqual([{ a: "1.50", b: "2" }])
  })
})
