/**
 * How official summaries state totals: "共发放宣传资料10000多份", "260余人次",
 * "90余家". The rule, applied to the exact decimal total:
 * - `exact` phrasing, or a value below 10: the number as it is ("914份", "5场");
 * - otherwise the integer part is cut (never rounded up) to its leading digit
 *   below 100 (92 → 90) and to its two leading digits from 100 on (263 → 260,
 *   10360 → 10000); if nothing was cut the number stands as it is ("90家"),
 *   else "多" follows when the cut value is 10000 or more ("10000多份") and
 *   "余" when it is less ("260余人次", "90余家", "1000余份").
 * The phrased number is never more than the exact one, and the exact value is
 * always printed in the summary's appendix.
 */

/** The integer part and fraction of a canonical decimal string. */
const split = (exact: string): { negative: boolean; whole: string; fraction: string } => {
  const negative = exact.startsWith("-")
  const [whole = "0", fraction = ""] = (negative ? exact.slice(1) : exact).split(".")
  return { negative, whole: whole.replace(/^0+(?=\d)/, ""), fraction: fraction.replace(/0+$/, "") }
}

/** The number part of an official phrase, e.g. "10000多", "260余", "5", "12.5". */
export const phraseNumber = (exact: string, phrasing: "approximate" | "exact"): string => {
  const { negative, whole, fraction } = split(exact)
  const sign = negative ? "-" : ""
  const plain = fraction === "" ? `${sign}${whole}` : `${sign}${whole}.${fraction}`
  if (phrasing === "exact" || negative) return plain
  if (whole.length === 1) return fraction === "" ? plain : `${sign}${whole}.${fraction.slice(0, 2)}`
  const digits = whole.length === 2 ? 1 : 2
  const kept = whole.slice(0, digits) + "0".repeat(whole.length - digits)
  if (kept === whole && fraction === "") return whole
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
