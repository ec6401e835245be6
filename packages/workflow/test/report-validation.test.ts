import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { canonicalDecimal, figureDecimal, normalizeCampaign, validateReport } from "../src/index.ts"
import { week } from "./fixture.ts"

const campaign = normalizeCampaign(week)
const brochures = campaign.phases[1]?.tasks[0]
const stalls = campaign.phases[1]?.tasks[1]
if (brochures === undefined || stalls === undefined) throw new Error("fixture")

const problems = (result: ReturnType<typeof validateReport>) =>
  Result.isFailure(result) ? result.failure.map((p) => p.path) : []

describe("report validation", () => {
  it("accepts a complete report and stores canonical decimals", () => {
    const result = validateReport(stalls, { figures: { stalls: "+012.50" }, narrative: { narrative: " 设点 " } })
    expect(result).toEqual(Result.succeed({ figures: { stalls: "12.5" }, narrative: { narrative: "设点" } }))
  })

  it("names every bad field at once", () => {
    const result = validateReport(brochures, {
      figures: { brochures: "12.5", other: 1 },
      narrative: { narrative: "", mood: "good" },
    })
    expect(problems(result)).toEqual(["figures.other", "figures.brochures", "narrative.mood", "narrative.narrative"])
  })

  it("checks kind, scale and bounds", () => {
    expect(
      problems(validateReport(brochures, { figures: { brochures: "abc" }, narrative: { narrative: "x" } })),
    ).toEqual(["figures.brochures"])
    expect(problems(validateReport(brochures, { figures: { brochures: -1 }, narrative: { narrative: "x" } }))).toEqual([
      "figures.brochures",
    ])
    expect(problems(validateReport(stalls, { figures: { stalls: "1.25" }, narrative: { narrative: "x" } }))).toEqual([
      "figures.stalls",
    ])
    expect(problems(validateReport(stalls, { figures: { stalls: "51" }, narrative: { narrative: "x" } }))).toEqual([
      "figures.stalls",
    ])
    expect(problems(validateReport(brochures, { figures: {}, narrative: { narrative: "x" } }))).toEqual([
      "figures.brochures",
    ])
  })

  it("keeps numbers exact, with no float and no exponent", () => {
    expect(canonicalDecimal("00123456789012345678901234567890.100")).toBe("123456789012345678901234567890.1")
    expect(canonicalDecimal("-0.0")).toBe("0")
    expect(canonicalDecimal("1e21")).toBeUndefined()
    expect(canonicalDecimal(0.1)).toBe("0.1")
    expect(canonicalDecimal(1e21)).toBe("1000000000000000000000")
    expect(canonicalDecimal(5e-324)).toBeUndefined()
    expect(canonicalDecimal(1.5e-7)).toBe("0.00000015")
    expect(canonicalDecimal("1,000")).toBeUndefined()
  })
})

describe("figures as people type them", () => {
  it("reads full-width digits and thousands separators, and stores the canonical decimal", () => {
    const read = (value: string) =>
      validateReport(brochures, { figures: { brochures: value }, narrative: { narrative: "x" } })
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["１２００", "1200"],
      ["1,200", "1200"],
      ["1，200", "1200"],
      ["１，２００", "1200"],
      ["12,345,678", "12345678"],
      [" ３ ", "3"],
    ]
    for (const [typed, stored] of cases)
      expect(read(typed)).toEqual(Result.succeed({ figures: { brochures: stored }, narrative: { narrative: "x" } }))
    expect(figureDecimal("１２.５０")).toBe("12.5")
    expect(figureDecimal("－３")).toBe("-3")
  })

  it("refuses what no reading makes a number of, naming the field", () => {
    for (const typed of ["1,20", "12,3456", ",100", "1,,000", "１２..５", "ｘ３", "1 200", "3e5"]) {
      expect(figureDecimal(typed)).toBeUndefined()
      expect(
        problems(validateReport(brochures, { figures: { brochures: typed }, narrative: { narrative: "x" } })),
      ).toEqual(["figures.brochures"])
    }
  })
})
