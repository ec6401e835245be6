import { describe, expect, it } from "vitest"
import { buildSummaryModel, groupDifficulties, renderMarkdown, unitsPhrase } from "../src/index.ts"
import { campaign, reports, totals } from "./fixture.ts"

describe("the summary model", () => {
  const model = buildSummaryModel(campaign, totals, reports)

  it("opens with whose instruction, the theme and the dates", () => {
    expect(model.title).toBe("甲市知识产权宣传周活动总结")
    expect(model.opening).toContain("按照省知识产权局的部署,甲市知识产权局")
    expect(model.opening).toContain("“设计未来”")
    expect(model.opening).toContain("2026年4月20日至4月26日")
  })

  it("states each activity with its phrased total and the units that did it, in definition order", () => {
    const [section] = model.sections
    expect(section?.heading).toBe("措施得力、重点突出,创知识产权宣传工作新局面")
    expect(section?.items[0]?.text).toContain("一县知识产权局、二县知识产权局共发放宣传资料10000多份")
    expect(section?.items[0]?.text.match(/在广场设点/gu)).toHaveLength(1)
  })

  it("merges difficulties that say the same thing and counts who raised them", () => {
    const difficulties = model.sections.find((s) => s.heading === "存在的困难和问题")
    expect(difficulties?.lead).toContain("一是资金紧缺(2家单位反映);二是资料不足(1家单位反映)")
    expect(
      groupDifficulties([
        { unit: "x", text: "(一)经费少" },
        { unit: "y", text: "经费少!" },
      ]),
    ).toHaveLength(1)
  })

  it("renders Markdown with numbered sections and the exact values in the appendix", () => {
    const text = renderMarkdown(model)
    expect(text).toMatch(/^# 甲市知识产权宣传周活动总结\n/u)
    expect(text).toContain("## 一、措施得力、重点突出")
    expect(text).toContain("## 二、存在的困难和问题")
    expect(text).toContain("## 三、下一步工作打算")
    expect(text).toContain("| 派发宣传资料 | 发放宣传资料 | 10350份 | 10000多份 | 2 | 3(#12)、7(#15) |")
    expect(renderMarkdown(model)).toBe(text)
  })

  it("names a few units and counts many", () => {
    expect(unitsPhrase(["甲", "乙"])).toBe("甲、乙")
    expect(unitsPhrase(["甲", "乙", "丙", "丁"])).toBe("甲、乙等4家单位")
  })
})
