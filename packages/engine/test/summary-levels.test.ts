import { loadSummaryModel, loadTotals, renderSummary } from "@liandong/report"
import { describeEachDatabase } from "@liandong/store/testing"
import { childUnits, normalizeCampaign, unitAndSubordinates } from "@liandong/workflow"
import { strFromU8, unzipSync } from "fflate"
import { afterEach, beforeEach, expect, it } from "vitest"
import { startCampaign } from "../src/index.ts"
import { springWeek } from "./fixture.ts"
import { deployFixture, playFixture, testEngine } from "./support.ts"

const campaign = normalizeCampaign(springWeek)

describeEachDatabase("the summary at every level", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    const lead = await engine.actor("lead")
    await engine.run(startCampaign("spring-week", lead))
    await playFixture(engine)
  })
  afterEach(() => engine.dispose())

  it("each level's totals are its own plus its subordinates', exactly", async () => {
    const { db } = ctx.store()
    const totalsAt = async (unit: string) =>
      Object.fromEntries(
        (await loadTotals(db, "spring-week", campaign, unitAndSubordinates(campaign, unit))).map((t) => [
          t.figure,
          BigInt(t.total),
        ]),
      )
    const own = async (unit: string) =>
      Object.fromEntries(
        (await loadTotals(db, "spring-week", campaign, new Set([unit]))).map((t) => [t.figure, BigInt(t.total)]),
      )
    for (const unit of ["city", "county-a"]) {
      const whole = await totalsAt(unit)
      const parts = [await own(unit), ...(await Promise.all(childUnits(campaign, unit).map(totalsAt)))]
      for (const figure of ["brochures", "people"]) {
        expect(parts.reduce((sum, p) => sum + (p[figure] ?? 0n), 0n)).toBe(whole[figure])
      }
    }
    expect((await totalsAt("city")).brochures).toBe(10350n)
    expect((await totalsAt("county-a")).brochures).toBe(6350n)
  })

  it("renders a county's summary from its own and its towns' reports only", async () => {
    const { db } = ctx.store()
    const county = await loadSummaryModel(db, "spring-week", campaign, { level: "county-a" })
    expect(county.title).toBe("甲县知识产权局关于测试宣传周活动的工作总结")
    expect(county.opening).toContain("甲县知识产权局结合本地实际")
    expect(county.totals.find((t) => t.figure === "brochures")?.exact).toBe("6350")
    expect(county.reports.every((r) => r.unit !== "乙县知识产权局")).toBe(true)
  })

  it("renders the same bytes for the same data, in every format", async () => {
    const { db } = ctx.store()
    for (const format of ["md", "html", "docx"] as const) {
      const first = await renderSummary(db, "spring-week", campaign, { format })
      const second = await renderSummary(db, "spring-week", campaign, { format })
      expect(Buffer.from(first as Uint8Array | string)).toEqual(Buffer.from(second as Uint8Array | string))
    }
  })

  it("links every total in the HTML to its sources, and draws the charts", async () => {
    const html = String(await renderSummary(ctx.store().db, "spring-week", campaign, { format: "html" }))
    expect(html).toContain('<a class="figure" href="#fig-brochures-brochures">10000多份</a>')
    expect(html).toContain('<tr id="fig-brochures-brochures">')
    expect(html).toMatch(/日志第 \d+ 行/u)
    expect(html.match(/<svg /gu)?.length).toBeGreaterThanOrEqual(2)
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/u)
  })

  it("renders an English version on request, with the same figures", async () => {
    const text = String(await renderSummary(ctx.store().db, "spring-week", campaign, { format: "md", lang: "en" }))
    expect(text).toContain(": summary report")
    expect(text).toContain("## 1. Preparation")
    expect(text).toContain("brochures more than 10,000")
    expect(text).toContain("## 3. Difficulties and problems")
    expect(text).toContain("| Task | Figure | Total |")
  })

  it("writes a Word file that opens: headings, totals and the appendix table", async () => {
    const docx = (await renderSummary(ctx.store().db, "spring-week", campaign, { format: "docx" })) as Uint8Array
    const files = unzipSync(docx)
    const xml = strFromU8(files["word/document.xml"] as Uint8Array)
    expect(xml).toContain("测试宣传周活动总结")
    expect(xml).toContain("发放宣传资料10000多份")
    expect(xml).toContain("<w:tbl>")
    expect(xml).toContain('w:eastAsia="仿宋_GB2312"')
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining(["[Content_Types].xml", "word/document.xml", "docProps/core.xml"]),
    )
  })
})
