import { describeEachDatabase } from "@liandong/store/testing"
import { normalizeCampaign } from "@liandong/workflow"
import fc from "fast-check"
import { sql } from "kysely"
import { expect, it } from "vitest"
import { loadTotals } from "../src/index.ts"

const campaign = normalizeCampaign({
  key: "sums",
  title: "合计测试",
  coordinator: "city",
  units: [
    { key: "city", name: "市局", role: "host" },
    { key: "a", name: "甲", role: "subordinate", parent: "city" },
    { key: "b", name: "乙", role: "subordinate", parent: "city" },
  ],
  phases: [
    {
      key: "publicity",
      opensAt: "2026-04-20",
      closesAt: "2026-04-26",
      tasks: [
        {
          key: "t",
          title: { zh: "任务" },
          assign: { roles: ["subordinate"] },
          deadline: "2026-04-25",
          figures: [
            { key: "copies", label: { zh: "发放资料" }, measure: "份" },
            { key: "money", label: { zh: "经费" }, measure: "万元", kind: "decimal", scale: 4 },
            { key: "joint", label: { zh: "检查企业" }, measure: "家", aggregate: "max" },
          ],
        },
      ],
    },
  ],
})

describeEachDatabase("totals", (ctx) => {
  const seed = async () => {
    const { db } = ctx.store()
    const def = await db
      .insertInto("definitions")
      .values({ key: "sums", version: 1, hash: "h", body: JSON.stringify(campaign) })
      .returning("id")
      .executeTakeFirstOrThrow()
    await db
      .insertInto("campaigns")
      .values({ id: "sums", definition_id: def.id, status: "running", journal_head: null })
      .execute()
  }
  const report = async (
    unit: string,
    attempt: number,
    status: "submitted" | "approved" | "returned",
    figures: Record<string, string>,
  ) => {
    const { db } = ctx.store()
    const row = await db
      .insertInto("reports")
      .values({
        campaign_id: "sums",
        unit_key: unit,
        task_key: "t",
        attempt,
        status,
        narrative: "{}",
        submitted_by: unit,
        submitted_at: new Date("2026-04-21T00:00:00Z"),
      })
      .returning("id")
      .executeTakeFirstOrThrow()
    await db
      .insertInto("report_figures")
      .values(Object.entries(figures).map(([figure_key, value]) => ({ report_id: row.id, figure_key, value })))
      .execute()
    return row.id
  }

  it("sums only the latest approved report of each unit, exactly", async () => {
    await seed()
    await report("a", 1, "returned", { copies: "999", money: "1", joint: "9" })
    const a = await report("a", 2, "approved", { copies: "1200", money: "0.1", joint: "5" })
    const b = await report("b", 1, "approved", { copies: "3", money: "0.2", joint: "4" })
    await report("city", 1, "submitted", { copies: "100000", money: "5", joint: "7" })
    const totals = await loadTotals(ctx.store().db, "sums", campaign)
    const byFigure = Object.fromEntries(totals.map((t) => [t.figure, t]))
    expect(byFigure.copies?.total).toBe("1203")
    expect(byFigure.money?.total).toBe("0.3")
    expect(byFigure.joint?.total).toBe("5")
    expect(byFigure.copies?.contributions).toEqual([
      { unit: "a", report: a, value: "1200", journal: null },
      { unit: "b", report: b, value: "3", journal: null },
    ])
  })

  it("equals the exact sum for any reported values", async () => {
    await seed()
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        async (x, y) => {
          // Reports and figures are fixed once written (0010); only a superuser's replica mode clears them.
          await ctx
            .store()
            .db.transaction()
            .execute(async (tx) => {
              await sql`set local session_replication_role = replica`.execute(tx)
              await tx.deleteFrom("report_figures").execute()
              await tx.deleteFrom("reports").execute()
            })
          await report("a", 1, "approved", { copies: x.toString(), money: "0", joint: "0" })
          await report("b", 1, "approved", { copies: y.toString(), money: "0", joint: "0" })
          const totals = await loadTotals(ctx.store().db, "sums", campaign)
          expect(totals.find((t) => t.figure === "copies")?.total).toBe((x + y).toString())
        },
      ),
      { numRuns: 15 },
    )
  })
})
