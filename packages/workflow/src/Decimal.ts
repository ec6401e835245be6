/**
 * Exact arithmetic on canonical decimal text ("10350", "12.5", "-0.25"): what the
 * database's `numeric` gives, recomputed without a database and never through
 * floating point, so an auditor's sum of a figure equals the stored one digit for digit.
 */
const decimalText = /^-?(\d+)(?:\.(\d+))?$/

/** Canonical decimal text (no exponent, no "+", no trailing zeros), or undefined when not a decimal. */
export const canonicalDecimal = (value: string | number): string | undefined => {
  let text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value.trim()
  if (/e/i.test(text)) {
    if (typeof value !== "number") return undefined
    text = value.toLocaleString("en-US", { useGrouping: false, maximumFractionDigits: 20 })
    // A number too small for 20 decimal places would be rounded (5e-324 to "0"): not exact, refused.
    if (Number(text) !== value) return undefined
  }
  if (text.startsWith("+")) text = text.slice(1)
  const m = decimalText.exec(text)
  if (m === null) return undefined
  const negative = text.startsWith("-")
  const whole = (m[1] ?? "0").replace(/^0+(?=\d)/, "")
  const fraction = (m[2] ?? "").replace(/0+$/, "")
  const body = fraction === "" ? whole : `${whole}.${fraction}`
  return negative && body !== "0" ? `-${body}` : body
}

const scaled = (text: string, places: number): bigint => {
  const negative = text.startsWith("-")
  const [whole = "0", fraction = ""] = (negative ? text.slice(1) : text).split(".")
  const digits = BigInt(`${whole}${fraction.padEnd(places, "0")}`)
  return negative ? -digits : digits
}

const placesOf = (text: string): number => text.split(".")[1]?.length ?? 0

const unscaled = (value: bigint, places: number): string => {
  const negative = value < 0n
  const digits = (negative ? -value : value).toString().padStart(places + 1, "0")
  const whole = digits.slice(0, digits.length - places)
  const fraction = digits.slice(digits.length - places)
  return canonicalDecimal(`${negative ? "-" : ""}${whole}${places > 0 ? `.${fraction}` : ""}`) ?? "0"
}

/** Digits grouped by thousands: 1,200 or 12,345.5 (after full-width forms are read as ASCII). */
const grouped = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/

/**
 * A figure as people type it, read as a decimal: full-width digits and signs (１２００, －３)
 * and thousands separators (1,200 or 1，200) are accepted; what remains must be a plain
 * decimal. Undefined when it is not one (1,20 is ambiguous and refused).
 */
export const figureDecimal = (value: string | number): string | undefined => {
  if (typeof value === "number") return canonicalDecimal(value)
  // NFKC reads full-width digits, comma, point and signs as their ASCII forms.
  const text = value.normalize("NFKC").trim()
  return canonicalDecimal(grouped.test(text) ? text.replaceAll(",", "") : text)
}

/** Canonical decimal text of `value`; throws on text that is not a decimal (a defect of the caller). */
export const decimal = (value: string): string => {
  const canonical = canonicalDecimal(value)
  if (canonical === undefined) throw new TypeError(`not a decimal: ${value}`)
  return canonical
}

/** The exact sum of two decimals. */
export const addDecimal = (a: string, b: string): string => {
  const places = Math.max(placesOf(a), placesOf(b))
  return unscaled(scaled(decimal(a), places) + scaled(decimal(b), places), places)
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export const compareDecimal = (a: string, b: string): -1 | 0 | 1 => {
  const places = Math.max(placesOf(a), placesOf(b))
  const x = scaled(decimal(a), places)
  const y = scaled(decimal(b), places)
  return x < y ? -1 : x > y ? 1 : 0
}
