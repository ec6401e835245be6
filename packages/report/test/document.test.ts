import { strFromU8, unzipSync } from "fflate"
import { describe, expect, it } from "vitest"
import { buildDocument, documentDate, headingNumber } from "../src/Document.ts"
import { buildSummaryModel, renderDocx, renderHtml, renderMarkdown, type SummaryModel } from "../src/index.ts"
import { campaign, reports, totals } from "./fixture.ts"

const base = buildSummaryModel(campaign, totals, reports)
const item = base.sections[0]?.items[0] as SummaryModel["sections"][number]["items"][number]
// Two items under a sub-heading: numbered "1." and "2." below "（一）".
const model: SummaryModel = {
  ...base,
  sections: [
    { ...(base.sections[0] as SummaryModel["sections"][number]), items: [{ ...item, heading: "线下宣传" }, item] },
  ],
}

describe("the 公文 document tree", () => {
  it("dates as GB/T 9704 writes them, in the campaign's time zone", () => {
    const late = new Date("2026-05-07T17:30:00Z") // 8 May in Shanghai
    expect(documentDate(late, { timeZone: "Asia/Shanghai" })).toBe("2026年5月8日")
    expect(documentDate(late, { timeZone: "Asia/Shanghai", chineseNumerals: true })).toBe("二〇二六年五月八日")
    expect(documentDate(new Date("2026-12-20T04:00:00Z"), { chineseNumerals: true })).toBe("二〇二六年十二月二十日")
    expect(documentDate(late, { timeZone: "Asia/Shanghai", lang: "en" })).toBe("8 May 2026")
  })

  it("numbers the four levels 一、（一）1.（1）", () => {
    expect([1, 2, 3, 4].map((l) => headingNumber(l as 1 | 2 | 3 | 4, 2, "zh"))).toEqual([
      "二、",
      "（二）",
      "2.",
      "（2）",
    ])
  })

  it("signs with the coordinator and the last approval, and lists the attachments", () => {
    const doc = buildDocument(model, { timeZone: campaign.timeZone })
    expect(doc.issuer).toBe("甲市知识产权局")
    expect(doc.date).toBe("2026年4月24日")
    expect(doc.body.filter((b) => b.level === 2).map((b) => `${b.number}${b.text}`)).toEqual(["（一）线下宣传"])
    expect(doc.body.filter((b) => b.number === "1." || b.number === "2.")).toHaveLength(2)
    expect(doc.attachmentNote[0]).toBe("附件：1. 数据汇总（精确值）")
  })

  it("names the level unit as the issuer of a level summary", () => {
    expect(buildSummaryModel(campaign, totals, reports, { level: "a" }).issuer).toBe("一县知识产权局")
  })
})

describe("each renderer ends the body with the office and the date, before the attachments", () => {
  it("Markdown", () => {
    const md = renderMarkdown(model, campaign.timeZone)
    expect(md).toContain("### （一）线下宣传")
    expect(md).toMatch(/\n1\..+\n\n2\./u)
    expect(md).not.toMatch(/\n1、/u)
    const sign = md.indexOf('<div align="right">甲市知识产权局<br>2026年4月24日</div>')
    expect(sign).toBeGreaterThan(md.indexOf("附件：1."))
    expect(sign).toBeLessThan(md.indexOf("## 附件1 "))
    expect(md).toContain("（供审核）")
  })

  it("HTML, with the print layout of GB/T 9704", () => {
    const html = renderHtml(model, { timeZone: campaign.timeZone })
    expect(html).toContain("margin: 37mm 26mm 35mm 28mm")
    expect(html).toContain('@bottom-center { content: "— " counter(page) " —"')
    expect(html).toContain("<h3>（一）线下宣传</h3>")
    const sign = html.indexOf('<p class="office">甲市知识产权局</p><p class="date">2026年4月24日</p>')
    expect(sign).toBeGreaterThan(0)
    expect(sign).toBeLessThan(html.indexOf('<section class="appendix">'))
    // Journal rows only in columns hidden from print.
    expect(html).toContain("@media print { a.figure { border: none; } .audit { display: none; } }")
  })

  it("Word: page-number field, headings kept with the next, 楷体 second level, no journal rows", async () => {
    const files = unzipSync(await renderDocx(model, model.dated, { timeZone: campaign.timeZone }))
    const xml = strFromU8(files["word/document.xml"] as Uint8Array)
    const footers = Object.keys(files).filter((name) => /^word\/footer\d+\.xml$/u.test(name))
    expect(footers.length).toBeGreaterThanOrEqual(3)
    for (const name of footers) expect(strFromU8(files[name] as Uint8Array)).toMatch(/— <\/w:t>.*PAGE.*<w:t[^>]*> —/su)
    expect(xml).toContain("<w:keepNext/>")
    expect(xml).toContain('w:eastAsia="楷体_GB2312"')
    expect(xml).toContain('w:orient="landscape"')
    expect(xml.indexOf("2026年4月24日")).toBeLessThan(xml.indexOf(">附件1<"))
    expect(xml).not.toMatch(/#\d|日志第/u)
  })

  it("keeps English working", () => {
    const en = buildSummaryModel(campaign, totals, reports, { lang: "en" })
    const md = renderMarkdown(en, campaign.timeZone)
    expect(md).toContain("24 April 2026")
    expect(md).toContain("## Attachment 1 ")
  })
})
