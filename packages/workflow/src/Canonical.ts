/**
 * Canonical JSON, the form hashes are taken of: object keys sorted by UTF-16
 * code unit order, no white space, arrays in order, `undefined` members left
 * out, numbers as JSON prints them (finite only), strings JSON-escaped.
 * Definitions, journal rows and summaries are hashed in this form.
 */
import { createHash } from "node:crypto"
import type { Campaign } from "./Definition.ts"

/** The canonical JSON text of a value. */
export const canonicalJson = (value: unknown): string => {
  if (value === null) return "null"
  switch (typeof value) {
    case "string":
      return JSON.stringify(value)
    case "boolean":
      return value ? "true" : "false"
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonical JSON has no place for a non-finite number")
      return JSON.stringify(value)
    case "object": {
      if (value instanceof Date) return JSON.stringify(value.toISOString())
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`
    }
    default:
      throw new TypeError(`canonical JSON has no place for a ${typeof value}`)
  }
}

/** SHA-256 of a text (UTF-8), in lower-case hex. */
export const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex")

/** The content hash of a normalized campaign. */
export const campaignHash = (campaign: Campaign): string => sha256Hex(canonicalJson(campaign))
