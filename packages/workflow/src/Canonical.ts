/**
 * Canonical JSON, the form hashes are taken of: object keys sorted by UTF-16
 * code unit order, no white space, arrays in order, `undefined` members left
 * out, numbers as JSON prints them (finite only), strings JSON-escaped.
 * Definitions, journal rows and summaries are hashed in this form.
 */
import { createHash } from "node:crypto"
import type { Campaign } from "./Definition.ts"

/**
 * The canonical JSON text of a value. Written as loops over the keys (sorted as strings, which
 * is by UTF-16 code unit): every journal row is hashed in this form, in the commands' process.
 */
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
      if (Array.isArray(value)) {
        let text = "["
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i]
          text += `${i === 0 ? "" : ","}${item === undefined ? "null" : canonicalJson(item)}`
        }
        return `${text}]`
      }
      const record = value as Record<string, unknown>
      let text = "{"
      for (const key of Object.keys(record).sort()) {
        const member = record[key]
        if (member === undefined) continue
        text += `${text.length === 1 ? "" : ","}${JSON.stringify(key)}:${canonicalJson(member)}`
      }
      return `${text}}`
    }
    default:
      throw new TypeError(`canonical JSON has no place for a ${typeof value}`)
  }
}

/** SHA-256 of a text (UTF-8), in lower-case hex. */
export const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex")

/** The content hash of a normalized campaign. */
export const campaignHash = (campaign: Campaign): string => sha256Hex(canonicalJson(campaign))
