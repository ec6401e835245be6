import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { chineseNumeral, phraseNumber, phraseTotal } from "../src/index.ts"

describe("official phrasing of totals", () => {
  it.each([
    ["10360", "份", "10000多份"],
    ["263", "人次", "260余人次"],
    ["92", "家", "90余家"],
    ["90", "家", "90家"],
    ["1050", "份", "1000余份"],
    ["12345", "份", "12000多份"],
    ["123", "人次", "120余人次"],
    ["5", "场", "5场"],
    ["15", "人", "10余人"],
    ["4200", "份", "4200份"],
  ])("%s%s reads %s", (exact, measure, expected) => {
    expect(phraseTotal(exact, measure, "approximate")).toBe(expected)
  })

  it("leaves exact figures as they are", () => {
    expect(phraseTotal("914", "份", "exact")).toBe("914份")
    expect(phraseTotal("12.5", "万元", "exact")).toBe("12.5万元")
  })

  it("keeps small decimals to two places and cuts the fraction of larger ones", () => {
    expect(phraseNumber("3.14159", "approximate")).toBe("3.14")
    expect(phraseNumber("263.9", "approximate")).toBe("260余")
  })

  it("never states more than the exact value, and never less than its leading digits", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (n) => {
        const phrase = phraseNumber(n.toString(), "approximate")
        const stated = BigInt(phrase.replace(/[多余]$/u, ""))
        expect(stated <= n).toBe(true)
        const digits = n.toString().length
        const kept = digits <= 1 ? 0 : digits === 2 ? 1 : digits - 2
        expect(n - stated < 10n ** BigInt(kept)).toBe(true)
        expect(/[多余]$/u.test(phrase)).toBe(stated !== n)
      }),
    )
  })

  it("numbers sections in Chinese", () => {
    expect([1, 2, 5, 10, 11, 20, 23].map(chineseNumeral)).toEqual(["一", "二", "五", "十", "十一", "二十", "二十三"])
  })
})
