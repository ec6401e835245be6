/**
 * The seed campaign's summary read as the clerk who sends it upward reads it:
 * the office's voice, one sentence per fact, full-width punctuation, credit to
 * the lead, and a county's own summary. The script is played in memory; the
 * demo test checks the same text through the engine, word for word.
 */
import { ipWeek, ipWeekScript } from "@liandong/campaigns"
import { buildSummaryModel, renderMarkdown } from "@liandong/report"
import { normalizeCampaign } from "@liandong/workflow"
import { describe, expect, it } from "vitest"
import { playScript } from "./fixtures/played.ts"

const campaign = normalizeCampaign(ipWeek)
const summaryOf = (level?: string) => {
  const { reports, totals } = playScript(campaign, ipWeekScript, level)
  const model = buildSummaryModel(campaign, totals, reports, { level })
  const markdown = renderMarkdown(model)
  // The body: up to the 附件说明 that precedes the office, the date and the attachments.
  const end = markdown.indexOf("\n附件：")
  if (end < 0) throw new Error("the summary has no 附件说明")
  return { model, body: markdown.slice(0, end + 1) }
}
const sentences = (text: string) =>
  text
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .flatMap((line) => line.replace(/^\d+、/u, "").split(/(?<=。)/u))
    .map((s) => s.trim())
    .filter((s) => s !== "")

describe("the seed campaign's summary", () => {
  const { model, body } = summaryOf()

  it("names the office in the opening and calls it 我局 in the body, never by a placeholder", () => {
    expect(model.opening).toMatch(/^按照国、省知识产权局的部署，遂州市知识产权局结合本地实际/u)
    const rest = body.slice(body.indexOf(model.opening) + model.opening.length)
    expect(rest).toContain("我局于4月13日召开了")
    expect(rest.replace(/《[^》]*》/gu, "")).not.toContain("遂州市知识产权局")
    expect(body).not.toMatch(/xx|XX/u)
  })

  it("credits the joint inspections to the bureau that led the 14 member units", () => {
    expect(body).toContain(
      "我局牵头组织市工商局、市药监局等14家成员单位参加“雷雨”“天网”执法专项行动，对摩尔春天百货、家福来电器、回春堂药业连锁等重点商贸企业开展现场检查，共检查重点商贸企业5家。",
    )
    expect(body).not.toMatch(/市工商局参加/u)
  })

  it("says no sentence twice, no fixed phrase twice, and no 其中 after nothing", () => {
    const all = sentences(body)
    expect(all.filter((s, i) => all.indexOf(s) !== i)).toEqual([])
    expect(body).not.toContain("其中")
    for (const phrase of ["按要求完成了此项工作", "常抓不懈、持之以恒", "现将活动情况总结如下"]) {
      expect(body.split(phrase).length).toBeLessThanOrEqual(2)
    }
    expect(body).toContain("市工商局、市药监局等19家单位按照通知要求制定了本单位宣传周工作安排")
  })

  it("writes full-width punctuation throughout the text", () => {
    expect(body).not.toMatch(/[,;:?!()]/u)
  })

  it("keeps the section leads, the press coverage with its dates, and the last phase's highlights", () => {
    expect(body).toContain("本届宣传周加强了部门协调联动")
    expect(body).toContain("4月25日至27日在遂州日报上连载发表“遂州专利知多少”主题文章")
    expect(body).toContain("共刊发宣传报道6篇")
    expect(body).toContain("4月25日至29日邀请专利事务所深入三县二区开展知识产权专题讲座")
    expect(body).toContain("市教育局发动多所学校开展知识产权进校园活动")
  })

  it("merges the difficulties units raised alike, without counting them unless the office asks", () => {
    const difficulties = model.sections.find((s) => s.heading === "存在的困难和问题")?.lead ?? ""
    expect(difficulties.match(/资金紧缺/gu)).toHaveLength(1)
    expect(difficulties).not.toContain("单位反映")
  })

  it("leaves out the reviewers' correction notes and the late report's excuse", () => {
    expect(body).not.toMatch(/更正|核对|签到表|报送有所延迟|人员外出培训/u)
  })

  it("is the same text when the coordinator's level is asked for", () => {
    expect(summaryOf("city-ipo").body).toBe(body)
  })
})

describe("a county's own summary", () => {
  for (const [key, name] of [
    ["district-east", "东区知识产权局"],
    ["county-a", "甲县知识产权局"],
  ] as const) {
    const { model, body } = summaryOf(key)

    it(`${name}: its own title and voice, deployed by the city`, () => {
      expect(model.title).toBe(`${name}关于遂州市2026年知识产权宣传周活动的工作总结`)
      expect(model.opening).toMatch(new RegExp(`^按照遂州市知识产权局的部署，${name}结合本地实际`, "u"))
      expect(model.opening).toContain("活动中，我局精心制定宣传方案")
      expect(body).toContain("我局会同工商、药监、质监、文化稽查、公安等部门组成联合执法小组")
    })

    it(`${name}: only its own tasks and participants, exact small numbers, nothing leaked`, () => {
      expect(body).not.toMatch(/成员单位|下级单位|雷雨|研讨会|遂州日报|宣传专栏|筹备会议/u)
      expect(body).not.toMatch(/家单位反映|更正|核对/u)
      expect(body).not.toMatch(/\d+余(?:家|条|场|次)/u)
      const all = sentences(body)
      expect(all.filter((s, i) => all.indexOf(s) !== i)).toEqual([])
      expect(body).not.toMatch(/[,;:?!()]/u)
    })
  }

  it("states 东区's small and unround numbers exactly", () => {
    const { body } = summaryOf("district-east")
    expect(body).toContain("检查图书、音像制品经营户16家")
    expect(body).toContain("接受群众咨询14人次")
    expect(body).toContain("发放知识产权宣传资料1280份")
    expect(body).toContain("培训企业及县区知识产权管理人员55人次")
  })

  it("states a single difficulty without 一是", () => {
    const { model } = summaryOf("district-east")
    expect(model.sections.find((s) => s.heading === "存在的困难和问题")?.lead).toContain(
      "但还存在一些困难和问题：缺乏知识产权宣传方面的资料",
    )
  })
})
