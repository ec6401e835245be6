import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { chineseNumeral, fullWidth, phraseNumber, phraseTotal } from "../src/index.ts"

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
    ["15", "人", "15人"],
    ["16", "家", "16家"],
    ["49", "人次", "49人次"],
    ["55", "人次", "55人次"],
    ["52", "人次", "50余人次"],
    ["97", "家", "97家"],
    ["1280", "份", "1280份"],
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
        // A round figure is within 5% of the exact value; a small count is exact.
        expect((n - stated) * 20n <= n).toBe(true)
        if (n < 50n) expect(phrase).toBe(n.toString())
      }),
    )
  })

  it("numbers sections in Chinese", () => {
    expect([1, 2, 5, 10, 11, 20, 23].map(chineseNumeral)).toEqual(["一", "二", "五", "十", "十一", "二十", "二十三"])
  })
})

describe("full-width punctuation in Chinese text", () => {
  it("turns , : ; ( ) ? ! next to Chinese full-width and leaves numbers, Latin and URLs alone", () => {
    expect(fullWidth("县(区)局按要求,共发放1,000份;比例3.5:1!")).toBe("县（区）局按要求，共发放1,000份；比例3.5:1！")
    expect(fullWidth("详见 https://example.cn/a,b?x=1 ,谢谢")).toBe("详见 https://example.cn/a,b?x=1 ，谢谢")
    expect(fullWidth("Hello, world (again)?")).toBe("Hello, world (again)?")
    expect(fullWidth("会议于10:30召开,是吗?")).toBe("会议于10:30召开，是吗？")
    expect(fullWidth("(1家单位反映)")).toBe("（1家单位反映）")
  })

  const hanChar = fc.constantFrom(..."知识产权局宣传资料发放企业检查防汛安全")
  const punct = fc.constantFrom(...",:;()?!")
  const latin = fc.constantFrom(..."abcXYZ 019.-/")
  const text = fc.array(fc.oneof(hanChar, punct, latin), { maxLength: 40 }).map((a) => a.join(""))

  it("keeps the length, and is idempotent", () => {
    fc.assert(
      fc.property(text, (t) => {
        const once = fullWidth(t)
        expect([...once]).toHaveLength([...t].length)
        expect(fullWidth(once)).toBe(once)
      }),
    )
  })

  it("leaves text without Chinese unchanged", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (t) => {
        fc.pre(!/\p{Script=Han}/u.test(t))
        expect(fullWidth(t)).toBe(t)
      }),
    )
  })

  it("leaves no half-width , : ; ? ! between Chinese characters", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hanChar, punct), { minLength: 1, maxLength: 20 }), hanChar, (parts, end) => {
        const out = fullWidth(parts.map(([h, p]) => h + p).join("") + end)
        expect(out).not.toMatch(/[,:;?!]/u)
      }),
    )
  })

  it("keeps grouped numbers, decimals and URLs written inside Chinese", () => {
    const number = fc
      .tuple(fc.integer({ min: 1, max: 999 }), fc.array(fc.integer({ min: 0, max: 999 }), { maxLength: 3 }))
      .map(([head, groups]) => [String(head), ...groups.map((g) => String(g).padStart(3, "0"))].join(","))
    const decimal = fc.tuple(fc.nat(9999), fc.nat(99)).map(([a, b]) => `${a}.${b}`)
    fc.assert(
      fc.property(text, fc.oneof(number, decimal), hanChar, (before, kept, after) => {
        expect(fullWidth(`${before}共${kept}${after}`)).toContain(kept)
      }),
    )
    // A URL ends where a space or Chinese text begins; a mark at its very end is read as the sentence's.
    const link = fc.webUrl({ withQueryParameters: true }).filter((u) => !/[,.;:!?)]$/u.test(u))
    fc.assert(
      fc.property(text, link, hanChar, (before, link, after) => {
        expect(fullWidth(`${before}见${link} ${after}`)).toContain(link)
      }),
    )
  })
})
