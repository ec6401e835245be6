import { strFromU8, unzipSync } from "fflate"
import { describe, expect, it } from "vitest"
import { buildSummaryModel, renderDocx } from "../src/index.ts"
import { campaign, reports, totals } from "./fixture.ts"
import { soffice, toPdf } from "./office.ts"

const model = buildSummaryModel(campaign, totals, reports)

describe("the Word file", () => {
  it("parses back: its document holds the text, the fonts and the appendix table", async () => {
    const files = unzipSync(await renderDocx(model))
    const xml = strFromU8(files["word/document.xml"] as Uint8Array)
    expect(xml).toContain("甲市知识产权宣传周活动总结")
    expect(xml).toContain("一县知识产权局、二县知识产权局在广场设点，共发放宣传资料10000多份")
    expect(xml).toContain('w:eastAsia="方正小标宋简体"')
    expect(xml).toContain("<w:tbl>")
    expect(strFromU8(files["docProps/core.xml"] as Uint8Array)).toContain("2000-01-01T00:00:00Z")
  })

  // CI installs LibreOffice from Debian's packages; elsewhere this runs where it is installed.
  it.skipIf(soffice === undefined)("opens in LibreOffice and converts to PDF", async () => {
    const { pdf } = await toPdf(await renderDocx(model), "summary")
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-")
    expect(pdf.length).toBeGreaterThan(5_000)
  })
})
