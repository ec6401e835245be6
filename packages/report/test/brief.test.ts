import { normalizeCampaign } from "@liandong/workflow"
import { strFromU8, unzipSync } from "fflate"
import { describe, expect, it } from "vitest"
import { briefHtml, briefMarkdown, buildBrief, fullWidthPunctuation, renderBriefDocx } from "../src/index.ts"
import { campaign, reports } from "./fixture.ts"
import { soffice, toPdf } from "./office.ts"

const halfWidthByChinese = /\p{Script=Han}[,:;()?!]|[,:;()?!]\p{Script=Han}/u

describe("the 简报", () => {
  const brief = buildBrief(campaign, reports, { issue: 3 })

  it("has a masthead: name, 期号, office and the date of the last approval", () => {
    expect(brief.name).toBe("甲市知识产权宣传周简报")
    expect(brief.issue).toBe("第3期")
    expect(brief.office).toBe("甲市知识产权局")
    expect(brief.date).toBe("2026年4月24日")
  })

  it("carries one item per approved report, in unit order, with its unit, time and figures", () => {
    expect(brief.items.map((i) => i.unit)).toEqual(["一县知识产权局", "二县知识产权局"])
    const [first] = brief.items
    expect(first?.headline).toBe("一县知识产权局派发宣传资料")
    expect(first?.paragraphs.join("")).toContain(
      "2026年4月20日至26日，一县知识产权局派发宣传资料，共发放宣传资料5300余份。在广场设点。",
    )
    expect(first?.paragraphs.join("")).toContain("共发放宣传资料5300余份")
  })

  it("has no half-width punctuation next to Chinese and no sentence twice", () => {
    const text = briefMarkdown(brief)
    expect(text).not.toMatch(halfWidthByChinese)
    for (const item of brief.items) {
      const said = item.paragraphs
        .join("")
        .split("。")
        .filter((s) => s !== "")
      expect(new Set(said).size).toBe(said.length)
    }
  })

  it("takes the date, place and people from fields that declare them", () => {
    const withFacts = normalizeCampaign({
      key: "week",
      title: "甲市知识产权宣传周",
      coordinator: "city",
      units: [
        { key: "city", name: "甲市知识产权局", role: "host" },
        { key: "a", name: "一县知识产权局", role: "subordinate", parent: "city" },
      ],
      phases: [
        {
          key: "publicity",
          opensAt: "2026-04-20",
          closesAt: "2026-04-26",
          tasks: [
            {
              key: "brochures",
              title: { zh: "派发宣传资料" },
              assign: { roles: ["subordinate"] },
              deadline: "2026-04-25",
              figures: [{ key: "brochures", label: { zh: "发放宣传资料" }, measure: "份" }],
              narrative: [
                { key: "narrative", label: { zh: "工作情况" } },
                { key: "day", label: { zh: "日期" }, about: "date" },
                { key: "place", label: { zh: "地点" }, about: "place" },
                { key: "people", label: { zh: "参加人员" }, about: "people" },
              ],
            },
          ],
        },
      ],
    })
    const facts = [
      {
        ...(reports[1] as (typeof reports)[number]),
        narrative: { narrative: "设点宣传。", day: "4月26日", place: "县城广场", people: "副县长张三" },
      },
    ]
    const [item] = buildBrief(withFacts, facts).items
    expect(item?.paragraphs[0]).toBe(
      "4月26日，一县知识产权局在县城广场派发宣传资料，共发放宣传资料5350份。副县长张三参加活动。设点宣传。",
    )
  })

  it("turns half-width punctuation by Chinese full-width", () => {
    expect(fullWidthPunctuation("一是资金紧缺;二是资料不足, 共3场(含线上)!")).toBe(
      "一是资金紧缺；二是资料不足，共3场（含线上）！",
    )
  })

  it("a level's issue names its unit as the office; English does not crash", () => {
    const level = buildBrief(
      campaign,
      reports.filter((r) => r.unit === "a"),
      { level: "a" },
    )
    expect(level.office).toBe("一县知识产权局")
    expect(level.items).toHaveLength(1)
    const en = buildBrief(campaign, reports, { lang: "en" })
    expect(briefHtml(en)).toContain("No. 1")
    expect(briefMarkdown(buildBrief(campaign, []))).toContain("尚无审核通过的报送")
  })

  it("renders HTML with the masthead and the same Word bytes for the same data", async () => {
    const html = briefHtml(brief)
    expect(html).toContain('<span class="office">甲市知识产权局</span>')
    expect(html).toContain("第3期")
    const [a, b] = [await renderBriefDocx(brief), await renderBriefDocx(brief)]
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
    const xml = strFromU8(unzipSync(a)["word/document.xml"] as Uint8Array)
    expect(xml).toContain("甲市知识产权宣传周简报")
    expect(xml).toContain("第3期")
    expect(xml).toContain("共发放宣传资料5000份")
  })

  it.skipIf(soffice === undefined)("opens in LibreOffice", async () => {
    const { pdf } = await toPdf(await renderBriefDocx(brief), "brief")
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-")
  })
})
