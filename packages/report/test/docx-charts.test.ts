import { strFromU8, unzipSync } from "fflate"
import { describe, expect, it } from "vitest"
import { buildSummaryModel, renderDocx } from "../src/index.ts"
import { wordsFor } from "../src/Language.ts"
import { chartBarLimit, chartBars } from "../src/Model.ts"
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

describe("a chart of many units", () => {
  const sources = Array.from({ length: 26 }, (_, i) => ({ unit: `单位${i + 1}`, value: String(i % 5 === 0 ? 7.5 : i) }))

  it("draws the largest values and one bar for the rest, summed exactly", () => {
    const bars = chartBars(sources, wordsFor(campaign).labels)
    expect(bars).toHaveLength(chartBarLimit)
    expect(bars.slice(0, 3).map((b) => b.unit)).toEqual(["单位25", "单位24", "单位23"])
    const shown = new Set(bars.slice(0, -1).map((b) => b.unit))
    const rest = sources.filter((s) => !shown.has(s.unit))
    expect(bars.at(-1)).toEqual({ unit: `其余${rest.length}个单位`, value: "30.5" })
    // Of the six tied at 7.5 the last in order is left out.
    expect(rest.map((s) => s.unit)).toEqual(["单位2", "单位3", "单位4", "单位5", "单位7", "单位8", "单位26"])
    expect(chartBars(sources, wordsFor(campaign, "en").labels).at(-1)?.unit).toBe("7 other units")
  })

  it("keeps every unit, in order, while they fit", () => {
    const few = sources.slice(0, chartBarLimit)
    expect(chartBars(few, wordsFor(campaign).labels)).toEqual(few)
  })
})
