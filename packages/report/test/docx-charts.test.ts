import { strFromU8, unzipSync } from "fflate"
import { describe, expect, it } from "vitest"
import { buildSummaryModel, renderDocx } from "../src/index.ts"
import { campaign, reports, totals } from "./fixture.ts"

const model = buildSummaryModel(campaign, totals, reports)

describe("the Word file's charts", () => {
  it("carries each chart as a PNG picture in the body, before the attachments", async () => {
    expect(model.charts.figures.length).toBeGreaterThan(0)
    const files = unzipSync(await renderDocx(model))
    const pictures = Object.keys(files).filter((name) => name.startsWith("word/media/") && name.endsWith(".png"))
    expect(pictures).toHaveLength(model.charts.figures.length)
    const png = files[pictures[0] as string] as Uint8Array
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG")
    const xml = strFromU8(files["word/document.xml"] as Uint8Array)
    expect(xml.indexOf("<w:drawing>")).toBeLessThan(xml.indexOf(">附件1<"))
  })

  it("gives the same bytes for the same data", async () => {
    const [a, b] = await Promise.all([renderDocx(model), renderDocx(model)])
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
  })
})
