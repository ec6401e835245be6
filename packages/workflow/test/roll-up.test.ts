import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { addDecimal, compareDecimal, normalizeCampaign, rollUp } from "../src/index.ts"

// A decimal with up to 6 places, as text, and the same value as an exact rational (integer, scale).
const decimalText = fc
  .tuple(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 0, max: 6 }))
  .map(([digits, places]) => {
    const negative = digits < 0n
    const text = (negative ? -digits : digits).toString().padStart(places + 1, "0")
    const whole = text.slice(0, text.length - places)
    const fraction = text.slice(text.length - places)
    return `${negative ? "-" : ""}${whole}${places > 0 ? `.${fraction}` : ""}`
  })

const asScaled = (text: string, places = 12): bigint => {
  const negative = text.startsWith("-")
  const [whole = "0", fraction = ""] = (negative ? text.slice(1) : text).split(".")
  const value = BigInt(`${whole}${fraction.padEnd(places, "0")}`)
  return negative ? -value : value
}

describe("exact decimals", () => {
  it("add exactly, beyond what a float holds", () => {
    expect(addDecimal("0.1", "0.2")).toBe("0.3")
    expect(addDecimal("9007199254740993", "1")).toBe("9007199254740994")
    expect(addDecimal("-1.50", "1.5")).toBe("0")
    expect(addDecimal("10000", "360")).toBe("10360")
  })

  it("agree with integer arithmetic on scaled values, and compare as numbers do", () => {
    fc.assert(
      fc.property(decimalText, decimalText, (a, b) => {
        expect(asScaled(addDecimal(a, b))).toBe(asScaled(a) + asScaled(b))
        const x = asScaled(a)
        const y = asScaled(b)
        expect(compareDecimal(a, b)).toBe(x < y ? -1 : x > y ? 1 : 0)
      }),
    )
  })
})

const campaign = normalizeCampaign({
  key: "roll-up",
  title: "合计",
  coordinator: "city",
  units: [
    { key: "city", name: "市局", role: "host", level: "city" },
    { key: "east", name: "东区", role: "subordinate", parent: "city", level: "county" },
    { key: "east-1", name: "东区一街道", role: "member", parent: "east" },
    { key: "west", name: "西区", role: "subordinate", parent: "city", level: "county" },
  ],
  phases: [
    {
      key: "publicity",
      opensAt: "2026-04-20",
      closesAt: "2026-04-26",
      tasks: [
        {
          key: "week",
          title: { zh: "宣传周", en: "Week" },
          assign: { units: ["east", "east-1", "west"] },
          deadline: "2026-04-26T12:00",
          figures: [
            { key: "brochures", label: { zh: "资料", en: "brochures" }, measure: "份" },
            { key: "peak", label: { zh: "最多人数", en: "peak" }, measure: "人", aggregate: "max" },
          ],
        },
      ],
    },
  ],
})

describe("rolling up approved figures", () => {
  it("totals the campaign and every unit with subordinates, by each figure's aggregation", () => {
    const rolled = rollUp(campaign, [
      { unit: "east", task: "week", figures: { brochures: "1200", peak: "80" } },
      { unit: "east-1", task: "week", figures: { brochures: "300.5", peak: "95" } },
      { unit: "west", task: "week", figures: { brochures: "900", peak: "40" } },
    ])
    expect(rolled.totals).toEqual([
      { task: "week", figure: "brochures", total: "2400.5" },
      { task: "week", figure: "peak", total: "95" },
    ])
    expect(rolled.levels).toEqual([
      {
        unit: "city",
        totals: [
          { task: "week", figure: "brochures", total: "2400.5" },
          { task: "week", figure: "peak", total: "95" },
        ],
      },
      {
        unit: "east",
        totals: [
          { task: "week", figure: "brochures", total: "1500.5" },
          { task: "week", figure: "peak", total: "95" },
        ],
      },
    ])
  })

  it("states 0 for a figure nobody reported, and lists no figure for a level that reported none", () => {
    const rolled = rollUp(campaign, [{ unit: "west", task: "week", figures: { brochures: "5" } }])
    expect(rolled.totals).toEqual([
      { task: "week", figure: "brochures", total: "5" },
      { task: "week", figure: "peak", total: "0" },
    ])
    expect(rolled.levels.find((l) => l.unit === "east")?.totals).toEqual([])
  })
})
