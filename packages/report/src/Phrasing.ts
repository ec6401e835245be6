/**
 * How official summaries state totals: "共发放宣传资料10000多份", "260余人次",
 * "90余家". The rule, applied to the exact decimal total:
 * - `exact` phrasing, or a value below 50: the number as it is ("914份", "16家",
 *   "5场"): a small count is checked unit by unit, and "10余家" for 16 hides more
 *   than it rounds;
 * - otherwise the integer part is cut (never rounded up) to its leading digit
 *   below 100 (92 → 90) and to its two leading digits from 100 on (263 → 260,
 *   10360 → 10000); if nothing was cut the number stands as it is ("90家");
 *   if the cut takes more than 5% away the number is not round enough to be
 *   stated so and stands as it is (97 → "97家", 1280 → "1280份"); else "多"
 *   follows when the cut value is 10000 or more ("10000多份") and "余" when it
 *   is less ("260余人次", "90余家", "1000余份").
 * The phrased number is never more than the exact one, and the exact value is
 * always printed in the summary's appendix.
 */

/** The integer part and fraction of a canonical decimal string. */
const split = (exact: string): { negative: boolean; whole: string; fraction: string } => {
  const negative = exact.startsWith("-")
  const [whole = "0", fraction = ""] = (negative ? exact.slice(1) : exact).split(".")
  return { negative, whole: whole.replace(/^0+(?=\d)/, ""), fraction: fraction.replace(/0+$/, "") }
}

/** Totals below this are stated exactly even when the figure is phrased approximately. */
export const approximateFrom = 50n

/** The number part of an official phrase, e.g. "10000多", "260余", "5", "12.5". */
export const phraseNumber = (exact: string, phrasing: "approximate" | "exact"): string => {
  const { negative, whole, fraction } = split(exact)
  const sign = negative ? "-" : ""
  const plain = fraction === "" ? `${sign}${whole}` : `${sign}${whole}.${fraction}`
  if (phrasing === "exact" || negative) return plain
  if (whole.length === 1) return fraction === "" ? plain : `${sign}${whole}.${fraction.slice(0, 2)}`
  if (BigInt(whole) < approximateFrom) return plain
  const digits = whole.length === 2 ? 1 : 2
  const kept = whole.slice(0, digits) + "0".repeat(whole.length - digits)
  if (kept === whole && fraction === "") return whole
  if ((BigInt(whole) - BigInt(kept)) * 20n > BigInt(whole)) return plain
  return `${kept}${BigInt(kept) >= 10000n ? "多" : "余"}`
}

/** A total as an official phrase with its measure word: "10000多份". */
export const phraseTotal = (exact: string, measure: string, phrasing: "approximate" | "exact"): string =>
  `${phraseNumber(exact, phrasing)}${measure}`

/** Chinese numerals for section numbers: 一、二、… 十一、… */
export const chineseNumeral = (n: number): string => {
  const digits = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
  if (n <= 10) return n === 10 ? "十" : (digits[n] ?? String(n))
  if (n < 20) return `十${digits[n - 10]}`
  if (n < 100) return `${digits[Math.floor(n / 10)]}十${n % 10 === 0 ? "" : digits[n % 10]}`
  return String(n)
}

const han = /\p{Script=Han}/u
const letter = /\p{L}/u
const halfToFull: Readonly<Record<string, string>> = {
  ",": "，",
  ":": "：",
  ";": "；",
  "(": "（",
  ")": "）",
  "?": "？",
  "!": "！",
}
const url =
  /\b(?:https?:\/\/|www\.)[^\s\p{Script=Han}\u3000-\u303f\uff00-\uffef]*[^\s\p{Script=Han}\u3000-\u303f\uff00-\uffef,.;:!?)]/gu

/**
 * Chinese text with full-width punctuation: , : ; ( ) ? ! whose nearest letter
 * on either side is Chinese become ，：；（）？！ (a bracket pair goes together).
 * Digit groups and ratios (1,000 · 3:1), decimals, Latin text and URLs stay as
 * they are. Every character maps to one, so lengths and positions are kept.
 */
export const fullWidth = (text: string): string => {
  const chars = [...text]
  const keep = new Set<number>()
  for (const m of text.matchAll(url)) {
    const start = [...text.slice(0, m.index)].length
    for (let i = 0; i < [...m[0]].length; i++) keep.add(start + i)
  }
  // Whether the nearest letter before (after) each position is Chinese.
  const before: boolean[] = []
  const after: boolean[] = []
  let last = false
  for (let i = 0; i < chars.length; i++) {
    before.push(last)
    if (letter.test(chars[i] as string)) last = han.test(chars[i] as string)
  }
  last = false
  for (let i = chars.length - 1; i >= 0; i--) {
    after[i] = last
    if (letter.test(chars[i] as string)) last = han.test(chars[i] as string)
  }
  const chinese = (i: number) => before[i] === true || after[i] === true
  const digit = (i: number) => /\d/u.test(chars[i] ?? "")
  const out = [...chars]
  const open: number[] = []
  const unpaired: number[] = []
  chars.forEach((c, i) => {
    if (keep.has(i)) return
    if (c === "(") open.push(i)
    else if (c === ")") {
      const o = open.pop()
      if (o === undefined) unpaired.push(i)
      else if (chinese(o) || chinese(i)) {
        out[o] = "（"
        out[i] = "）"
      }
    }
  })
  for (const i of [...open, ...unpaired]) if (chinese(i)) out[i] = halfToFull[chars[i] as string] as string
  chars.forEach((c, i) => {
    const full = halfToFull[c]
    if (keep.has(i) || full === undefined || c === "(" || c === ")") return
    if ((c === "," || c === ":") && digit(i - 1) && digit(i + 1)) return
    if (chinese(i)) out[i] = full
  })
  return out.join("")
}
