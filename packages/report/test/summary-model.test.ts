import { normalizeCampaign } from "@liandong/workflow"
import { describe, expect, it } from "vitest"
import { buildSummaryModel, groupDifficulties, renderMarkdown, unitsPhrase } from "../src/index.ts"

const campaign = normalizeCampaign({
  key: "week",
  title: "甲市知识产权宣传周",
  theme: "设计未来",
  authority: "省知识产权局",
  coordinator: "city",
  units: [
    { key: "city", name: "甲市知识产权局", role: "host" },
    { key: "a", name: "一县知识产权局", role: "subordinate", parent: "city" },
    { key: "b", name: "二县知识产权局", role: "subordinate", parent: "city" },
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
          figures: [{ key: "brochures", label: { zh: "发放宣传资料" }, measure: "份", phrasing: "approximate" }],
        },
      ],
    },
  ],
})

const at = new Date("2026-04-24T08:00:00Z")
const reports = [
  {
    id: "7",
    unit: "b",
    task: "brochures",
    attempt: 1,
    submittedAt: at,
    approvedAt: at,
    approvedBy: "lead",
    narrative: { narrative: "在广场设点", difficulties: "一是资金紧缺;二是资料不足" },
    figures: { brochures: "5000" },
  },
  {
    id: "3",
    unit: "a",
    task: "brochures",
    attempt: 1,
    submittedAt: at,
    approvedAt: at,
    approvedBy: "lead",
    narrative: { narrative: "在广场设点。", difficulties: "资金紧缺。" },
    figures: { brochures: "5350" },
  },
]
const totals = [
  {
    task: "brochures",
    figure: "brochures",
    total: "10350",
    contributions: [
      { unit: "a", report: "3", value: "5350", journal: 12 },
      { unit: "b", report: "7", value: "5000", journal: 15 },
    ],
  },
]

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
    expect(text).toContain("| brochures | 发放宣传资料 | 10350份 | 10000多份 | 2 | 3、7 |")
    expect(renderMarkdown(model)).toBe(text)
  })

  it("names a few units and counts many", () => {
    expect(unitsPhrase(["甲", "乙"])).toBe("甲、乙")
    expect(unitsPhrase(["甲", "乙", "丙", "丁"])).toBe("甲、乙等4家单位")
  })
})
