import { describeEachDatabase } from "@liandong/store/testing"
import readExcelFile from "read-excel-file/node"
import { afterEach, beforeEach, expect, it } from "vitest"
import { acknowledge, campaignWorkbook, returnReport, startCampaign, submitReport } from "../src/index.ts"
import { deployFixture, playFixture, testEngine } from "./support.ts"

/** The workbook's sheets as rows of cells. */
const sheetsOf = async (bytes: Uint8Array) =>
  Object.fromEntries((await readExcelFile(Buffer.from(bytes))).map((s) => [s.sheet, s.data]))

describeEachDatabase("the campaign workbook", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
  })
  afterEach(async () => {
    await engine.dispose()
  })

  it("holds the progress, the figures by unit with a checkable total, the levels and every report", async () => {
    await playFixture(engine)
    const sheets = await sheetsOf(await engine.run(campaignWorkbook("spring-week", await engine.actor("lead"))))
    expect(Object.keys(sheets)).toEqual(["进度", "分单位汇总", "分级汇总", "制定工作方案", "发放宣传资料"])
    const progress = sheets["进度"] ?? []
    expect(progress[0]).toEqual(["单位", "类别", "层级", "上级单位", "筹备·制定工作方案", "宣传·发放宣传资料"])
    // Units in the definition's order, by name; states in words.
    expect(progress.slice(1, 4).map((row) => row.slice(0, 6))).toEqual([
      ["甲县知识产权局", "下级单位", "县级", "市知识产权局", "已通过", "已通过"],
      ["乙县知识产权局", "下级单位", "县级", "市知识产权局", "已通过", "已通过"],
      ["甲县一镇", "成员单位", null, "甲县知识产权局", "已通过", "已通过"],
    ])
    expect(progress.find((row) => row[0] === "已通过（家）")?.slice(4)).toEqual([3, 3])
    const byUnit = sheets["分单位汇总"] ?? []
    expect(byUnit[0]?.slice(2)).toEqual(["发放宣传资料·发放宣传资料（份）", "发放宣传资料·咨询群众（人次）"])
    // Figures are numbers, and the total row adds up to what a reader adds.
    expect(byUnit.find((row) => row[0] === "甲县知识产权局")?.slice(2)).toEqual([6000, 120])
    expect(byUnit.find((row) => row[0] === "全部单位")?.slice(2)).toEqual([10350, 263])
    expect(byUnit.find((row) => row[0] === "汇总方式")?.slice(2)).toEqual(["合计", "合计"])
    // 甲县 and its town; the city (the coordinator) over everything below it.
    const levels = sheets["分级汇总"] ?? []
    expect(levels.find((row) => row[0] === "甲县知识产权局")?.slice(2)).toEqual([6350, 168])
    const brochures = sheets["发放宣传资料"] ?? []
    expect(brochures[0]?.slice(0, 5)).toEqual(["单位", "报送次数", "状态", "报送人", "报送时间（Asia/Shanghai）"])
    expect(brochures[1]?.slice(0, 4)).toEqual(["甲县知识产权局", 1, "已通过", "甲县联络员"])
    // Times as the campaign's clocks showed them: reports at 09:00 Beijing time, not 01:00 UTC.
    const submitted = brochures[1]?.[4]
    expect(submitted instanceof Date && submitted.toISOString()).toBe("2026-04-20T09:00:00.000Z")
    expect(brochures[1]?.slice(8, 10)).toEqual([6000, 120])
  })

  it("shows a unit only its own and its subordinates' rows", async () => {
    await playFixture(engine)
    const sheets = await sheetsOf(await engine.run(campaignWorkbook("spring-week", await engine.actor("clerk-b"))))
    const names = (sheet: string) => (sheets[sheet] ?? []).slice(1).map((row) => row[0])
    expect(names("进度")).toEqual([
      "乙县知识产权局",
      "未确认（家）",
      "已确认未报送（家）",
      "待审核（家）",
      "已退回待重报（家）",
      "已通过（家）",
      "逾期（家）",
    ])
    expect(names("分单位汇总")).toEqual(["乙县知识产权局", "全部单位", "汇总方式"])
    expect(sheets["分单位汇总"]?.find((row) => row[0] === "全部单位")?.slice(2)).toEqual([4000, 95])
    expect(names("发放宣传资料")).toEqual(["乙县知识产权局"])
    const text = JSON.stringify(sheets)
    for (const other of ["甲县知识产权局", "甲县一镇", "甲县联络员"]) expect(text).not.toContain(other)
  })

  it("lists every attempt: a returned report with its reason, then the resubmission", async () => {
    const clerk = await engine.actor("clerk-a")
    const lead = await engine.actor("lead")
    await engine.advance("2026-04-13T09:00:00+08:00")
    await engine.run(acknowledge("spring-week/county-a/plan", clerk))
    const first = await engine.run(
      submitReport("spring-week/county-a/plan", { narrative: { narrative: "初稿" } }, clerk),
    )
    await engine.run(returnReport(first.report, "请补充分工安排", lead))
    await engine.run(submitReport("spring-week/county-a/plan", { narrative: { narrative: "修改稿" } }, clerk))
    const sheets = await sheetsOf(await engine.run(campaignWorkbook("spring-week", lead)))
    const plan = sheets["制定工作方案"] ?? []
    expect(plan.slice(1).map((row) => [row[0], row[1], row[2], row[7]])).toEqual([
      ["甲县知识产权局", 1, "已退回", "请补充分工安排"],
      ["甲县知识产权局", 2, "待审核", null],
    ])
    expect(plan[0]?.slice(8)).toEqual(["工作情况", "亮点", "困难和问题"])
    expect(plan[1]?.[8]).toBe("初稿")
    const progress = sheets["进度"] ?? []
    expect(progress.find((row) => row[0] === "甲县知识产权局")?.[4]).toBe("待审核")
    expect(progress.find((row) => row[0] === "乙县知识产权局")?.[4]).toBe("未确认")
    expect(progress.find((row) => row[0] === "待审核（家）")?.[4]).toBe(1)
    expect(progress.find((row) => row[0] === "未确认（家）")?.[4]).toBe(2)
  })
})
