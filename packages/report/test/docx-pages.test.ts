/**
 * The Word file as a reader sees it on paper: converted to PDF with LibreOffice and read
 * back page by page with pdftotext. CI installs both (see .ci/run) and must not skip.
 */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import { buildDocument } from "../src/Document.ts"
import { buildSummaryModel, renderDocx, type SummaryModel } from "../src/index.ts"
import { campaign, reports, totals } from "./fixture.ts"
import { soffice, toPdf } from "./office.ts"

const pdftotext = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].find((path) => existsSync(path))
const tools = soffice !== undefined && pdftotext !== undefined

it.runIf(process.env.CI !== undefined)("CI has LibreOffice and pdftotext for the page checks", () => {
  expect(soffice).toBeDefined()
  expect(pdftotext).toBeDefined()
})

// Demo-like: enough sections, sub-headings and reports for several body pages and a long appendix.
const base = buildSummaryModel(campaign, totals, reports)
const long =
  "各单位按照统一部署，结合本地实际，精心组织，广泛发动，在城乡社区、学校、企业开展形式多样的宣传活动，取得了良好的社会效果。"
const numerals = ["一", "二", "三", "四", "五", "六"]
const model: SummaryModel = {
  ...base,
  sections: numerals.map((number, s) => ({
    number,
    heading: `第${number}部分工作情况`,
    lead: s % 2 === 0 ? long : null,
    items: Array.from({ length: 4 }, (_, i) => ({
      ...(base.sections[0]?.items[0] as SummaryModel["sections"][number]["items"][number]),
      heading: i % 2 === 0 ? `专项工作${s + 1}-${i + 1}` : null,
      text: long.repeat(1 + ((s + i) % 3)),
    })),
  })),
  reports: Array.from({ length: 120 }, (_, i) => ({
    ...(base.reports[0] as SummaryModel["reports"][number]),
    report: String(i + 1),
  })),
}
const doc = buildDocument(model, { timeZone: campaign.timeZone })

/** The PDF's pages as text lines, blank lines dropped. */
let pages: string[][] = []

describe.runIf(tools)("the Word file on paper", () => {
  beforeAll(async () => {
    const { path } = await toPdf(await renderDocx(model, model.dated, { timeZone: campaign.timeZone }), "summary")
    const text = execFileSync(pdftotext as string, ["-layout", path, "-"], { encoding: "utf8" })
    pages = text
      .split("\f")
      // pdftotext spaces half-width digits from CJK text ("附件 1"): compare without the spaces it adds.
      .map((page) =>
        page
          .split("\n")
          .map((line) => line.replace(/(?<=\S) (?=\S)/gu, "").trim())
          .filter((line) => line !== ""),
      )
      .filter((page) => page.length > 0)
  }, 180_000)

  const bodyLines = (page: ReadonlyArray<string>) => page.filter((line) => !/^— ?\d+ ?—$/u.test(line))

  it("has several pages, each with its number as “— n —” at the foot", () => {
    expect(pages.length).toBeGreaterThanOrEqual(4)
    for (const [i, page] of pages.entries())
      expect((page[page.length - 1] ?? "").replace(/\s/gu, "")).toBe(`—${i + 1}—`)
  })

  it("leaves no heading as the last line of a page", () => {
    const headings = doc.body.filter((b) => b.level > 0).map((b) => `${b.number}${b.text}`.replace(/\s/gu, ""))
    for (const page of pages) {
      const last = (bodyLines(page).at(-1) ?? "").replace(/\s/gu, "")
      expect(headings).not.toContain(last)
    }
  })

  it("ends the body with the issuing office and the date, right-aligned, before the attachments", () => {
    const first = pages.findIndex((page) => bodyLines(page)[0] === "附件1")
    expect(first).toBeGreaterThan(0)
    const body = bodyLines(pages[first - 1] as string[])
    expect(body.slice(-2)).toEqual([doc.issuer, doc.date])
    expect(doc.date).toBe("2026年4月24日")
    expect(pages.slice(0, first).flat().join("")).toContain("附件：1.")
  })

  it("starts each attachment on a new page", () => {
    const starts = pages.map((page) => bodyLines(page)[0])
    expect(starts).toContain("附件1")
    expect(starts).toContain("附件2")
    expect(pages.flat().filter((line) => line.startsWith("附件1") || line.startsWith("附件2"))).toHaveLength(2)
  })

  it("sends no journal rows in the appendix tables", () => {
    expect(pages.flat().join("\n")).not.toMatch(/日志第|#\d/u)
  })
})
