import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { canonicalJson } from "../src/index.ts"

/** The definition the hashes of stored records were taken by: entries filtered, sorted, joined. */
const specified = (value: unknown): string => {
  if (value === null) return "null"
  if (typeof value !== "object") return JSON.stringify(value)
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : specified(v))).join(",")}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${specified(v)}`).join(",")}}`
}

// Values as records hold them: nested objects and arrays, numeric-looking and non-ASCII keys,
// members left undefined, dates.
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: "grapheme" }),
    fc.date({ noInvalidDate: true }),
    fc.array(fc.oneof(tie("node"), fc.constant(undefined))),
    fc.dictionary(
      fc.oneof(fc.string({ unit: "grapheme" }), fc.nat().map(String)),
      fc.oneof(tie("node"), fc.constant(undefined)),
    ),
  ),
})).node

describe("canonical JSON", () => {
  it("is the text the stored hashes were taken of, for any value", () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(specified(v))
      }),
    )
  })

  it("does not depend on the order of an object's keys", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse())
        expect(canonicalJson(reversed)).toBe(canonicalJson(record))
        expect(JSON.parse(canonicalJson(record))).toEqual(JSON.parse(JSON.stringify(record)))
      }),
    )
  })

  it("has no place for a non-finite number or a function", () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite/)
    expect(() => canonicalJson([() => 1])).toThrow(/function/)
  })
})
