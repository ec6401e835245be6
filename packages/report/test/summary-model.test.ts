import { normalizeCampaign } from "@liandong/workflow"
import { describe, expect, it } from "vitest"
import { buildSummaryModel, groupDifficulties, renderMarkdown, unitsPhrase, withoutProcessNotes } from "../src/index.ts"
import type { ApprovedReport, FigureTotal } from "../src/Totals.ts"
import { campaign, input, reports, totals } from "./fixture.ts"

describe("the summary model", () => {
  const model = buildSummaryModel(campaign, totals, reports)

  it("opens with whose instruction, the issuing office, the theme and the dates", () => {
    expect(model.title).toBe("甲市知识产权宣传周活动总结")
    expect(model.opening).toContain("按照省知识产权局的部署，甲市知识产权局")
    expect(model.opening).toContain("“设计未来”")
    expect(model.opening).toContain("2026年4月20日至4月26日")
  })

  it("counts members and subordinates by what they are, when the definition says", () => {
    const plain = buildSummaryModel(campaign, totals, reports)
    expect(plain.opening).toContain("2个下级单位")
    const kinds = normalizeCampaign({
      ...input,
      units: [
        ...input.units,
        { key: "assoc", name: "甲市知识产权协会", role: "member", kind: { zh: "协会", en: "association" } },
        { key: "firm", name: "甲市专利事务所", role: "member", kind: "企业" },
        { key: "club", name: "甲市青年商会", role: "member", kind: "协会" },
        { key: "office", name: "甲市工商局", role: "member" },
      ],
    })
    const opening = buildSummaryModel(kinds, totals, reports).opening
    expect(opening).toContain("2家协会、1家企业、1家成员单位、2个下级单位")
    expect(buildSummaryModel(kinds, totals, reports, { lang: "en" }).opening).toContain("2 × association")
    // A unit without a kind normalizes as before: the definition's hash does not move.
    expect(campaign.units.some((u) => "kind" in u)).toBe(false)
  })

  it("states what units did the same once, naming them, and closes the sentence with the totals", () => {
    const [section] = model.sections
    expect(section?.heading).toBe("措施得力、重点突出，扎实开展宣传活动")
    expect(section?.items[0]?.text).toBe(
      "派发宣传资料。一县知识产权局、二县知识产权局在广场设点，共发放宣传资料10000多份。",
    )
  })

  it("merges difficulties that say the same thing, or nearly, and counts them only when asked", () => {
    const difficulties = model.sections.find((s) => s.heading === "存在的困难和问题")
    expect(difficulties?.lead).toContain("一是资金紧缺；二是资料不足。")
    expect(difficulties?.lead).not.toContain("反映")
    const counted = buildSummaryModel({ ...campaign, summary: { countDifficulties: true } }, totals, reports)
    expect(counted.sections.find((s) => s.heading === "存在的困难和问题")?.lead).toContain(
      "一是资金紧缺（2家单位反映）；二是资料不足（1家单位反映）",
    )
    expect(
      groupDifficulties([
        { unit: "x", text: "(一)经费少" },
        { unit: "y", text: "经费少!" },
      ]),
    ).toHaveLength(1)
    const near = groupDifficulties([
      { unit: "x", text: "资金紧缺" },
      { unit: "y", text: "资金紧缺，宣传形式单一" },
    ])
    expect(near).toHaveLength(1)
    expect(near[0]?.text).toBe("资金紧缺，宣传形式单一")
    expect(near[0]?.units.size).toBe(2)
  })

  it("renders Markdown with numbered sections and the exact values in the appendix", () => {
    const text = renderMarkdown(model)
    expect(text).toMatch(/^# 甲市知识产权宣传周活动总结\n/u)
    expect(text).toContain("## 一、措施得力、重点突出")
    expect(text).toContain("## 二、存在的困难和问题")
    expect(text).toContain("## 三、下一步工作打算")
    expect(text).toContain("| 派发宣传资料 | 发放宣传资料 | 10350份 | 10000多份 | 2 | 3（#12）、7（#15） |")
    expect(renderMarkdown(model)).toBe(text)
  })

  it("names a few units and counts many", () => {
    expect(unitsPhrase(["甲", "乙"])).toBe("甲、乙")
    expect(unitsPhrase(["甲", "乙", "丙", "丁"])).toBe("甲、乙等4家单位")
  })

  it("calls the issuer 我局 in every unit's text, and another unit's 我局 by its name", () => {
    const told = reports.map((r) =>
      r.unit === "a" ? { ...r, narrative: { narrative: "我局在县城设点，配合甲市知识产权局发放资料" } } : r,
    )
    const text = buildSummaryModel(campaign, totals, told).sections[0]?.items[0]?.text ?? ""
    expect(text).toContain("一县知识产权局在县城设点，配合我局发放资料")
    expect(text).not.toContain("甲市知识产权局")
  })

  it("leaves out what a narrative says about its own reporting", () => {
    expect(withoutProcessNotes("开展专题讲座，经核对签到表，培训人次更正为55人次")).toBe("开展专题讲座")
    expect(withoutProcessNotes("在步行街设点宣传，因人员外出培训，报送有所延迟")).toBe("在步行街设点宣传")
  })
})

const at = new Date("2026-07-10T08:00:00Z")
const report = (id: string, unit: string, task: string, narrative: Record<string, string>, figures = {}) =>
  ({
    id,
    unit,
    task,
    attempt: 1,
    submittedAt: at,
    approvedAt: at,
    approvedBy: "lead",
    narrative,
    figures,
  }) satisfies ApprovedReport

describe("a campaign of another subject, without a summary block", () => {
  const members = ["水利局", "应急管理局", "气象局", "住建局"].map((name, i) => ({
    key: `m${i}`,
    name: `乙市${name}`,
    role: "member" as const,
    parent: "office",
  }))
  const flood = normalizeCampaign({
    key: "flood-2026",
    title: "乙市2026年汛前安全检查",
    authority: "省防汛抗旱指挥部",
    coordinator: "office",
    units: [
      { key: "office", name: "乙市防汛抗旱指挥部办公室", role: "host" },
      ...members,
      { key: "county", name: "丙县应急管理局", role: "subordinate", parent: "office" },
    ],
    phases: [
      {
        key: "preparation",
        opensAt: "2026-05-01",
        closesAt: "2026-05-05",
        tasks: [
          {
            key: "plan",
            title: { zh: "制定检查方案" },
            assign: { units: ["office"] },
            deadline: "2026-05-04",
          },
        ],
      },
      {
        key: "enforcement",
        opensAt: "2026-05-06",
        closesAt: "2026-05-20",
        tasks: [
          {
            key: "joint",
            title: { zh: "联合开展水库、堤防隐患排查" },
            assign: { roles: ["member"] },
            deadline: "2026-05-18",
            figures: [{ key: "sites", label: { zh: "排查水库、堤防", en: "sites" }, measure: "处", aggregate: "max" }],
          },
          {
            key: "county",
            title: { zh: "排查辖区山洪灾害危险区" },
            assign: { roles: ["subordinate"] },
            deadline: "2026-05-18",
            figures: [{ key: "areas", label: { zh: "排查危险区" }, measure: "处", phrasing: "approximate" }],
          },
        ],
      },
    ],
  })
  const done = [
    report("1", "office", "plan", { narrative: "乙市防汛抗旱指挥部办公室制定了汛前安全检查方案,明确了责任分工" }),
    ...members.map((m, i) =>
      report(
        String(i + 2),
        m.key,
        "joint",
        { narrative: `${m.name}参加水库、堤防隐患联合排查`, difficulties: "部分水库管理人员不足" },
        { sites: "32" },
      ),
    ),
    report(
      "9",
      "county",
      "county",
      { narrative: "对辖区山洪灾害危险区逐一排查,经核实后重新报送", difficulties: "部分水库管理人员不足。" },
      { areas: "16" },
    ),
  ]
  const sums: FigureTotal[] = [
    {
      task: "joint",
      figure: "sites",
      total: "32",
      contributions: members.map((m, i) => ({ unit: m.key, report: String(i + 2), value: "32", journal: null })),
    },
    {
      task: "county",
      figure: "areas",
      total: "16",
      contributions: [{ unit: "county", report: "9", value: "16", journal: null }],
    },
  ]
  const model = buildSummaryModel(flood, sums, done)
  const text = renderMarkdown(model)
  const end = text.indexOf("\n附件：")
  if (end < 0) throw new Error("the summary has no 附件说明")
  const body = text.slice(0, end + 1)

  it("says no word of intellectual property, and has no empty closing paragraph", () => {
    expect(body).not.toMatch(/知识产权|专利|商标|版权|IP/u)
    expect(model.closing).toBe("")
    expect(body).toMatch(/落到实处。\n\n$/u)
  })

  it("speaks in the office's voice, names it in the opening and credits the joint action to it", () => {
    expect(model.opening).toContain("乙市防汛抗旱指挥部办公室结合本地实际")
    expect(body).toContain("我办制定了汛前安全检查方案，明确了责任分工")
    expect(body).toContain(
      "我办牵头组织乙市水利局、乙市应急管理局等4家成员单位参加水库、堤防隐患联合排查，共排查水库、堤防32处。",
    )
    expect(body).not.toMatch(/乙市水利局参加/u)
  })

  it("states a small count exactly, leaves the reporting notes out, and merges the same difficulty", () => {
    expect(body).toContain("排查危险区16处")
    expect(body).not.toMatch(/核实|重新报送/u)
    expect(body).toContain("困难和问题：部分水库管理人员不足。")
  })

  it("writes full-width punctuation in the text, whatever the units typed", () => {
    expect(body.replace(/^#.*$/gmu, "")).not.toMatch(/[,;:?!()]/u)
  })
})

describe("the reports appendix", () => {
  it("lists each report's files with the first 12 characters of their hashes", () => {
    const sha = "0123456789abcdef".repeat(4)
    const withFiles = reports.map((r, i) =>
      i === 0
        ? {
            ...r,
            attachments: [
              { name: "签到表.pdf", sha256: sha },
              { name: "现场.png", sha256: sha.toUpperCase() },
            ],
          }
        : r,
    )
    const row = (lang: "zh" | "en") =>
      buildSummaryModel(campaign, totals, withFiles, { lang }).reports.find((r) => r.report === withFiles[0]?.id)
    expect(row("zh")?.figures).toContain("佐证材料：签到表.pdf（0123456789ab）、现场.png（0123456789AB）")
    expect(row("en")?.figures).toContain("evidence: 签到表.pdf (0123456789ab), 现场.png (0123456789AB)")
    expect(renderMarkdown(buildSummaryModel(campaign, totals, withFiles))).toContain("签到表.pdf（0123456789ab）")
    // A report without files reads as before.
    expect(buildSummaryModel(campaign, totals, reports).reports.every((r) => !r.figures.includes("佐证材料"))).toBe(
      true,
    )
  })
})
