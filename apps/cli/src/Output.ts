/**
 * How the CLI speaks: tables that line up with Chinese text, JSON on request,
 * and errors as one line (Chinese, then English) with details only under --debug.
 */

import { createRequire } from "node:module"
import { wholeDayEnding } from "@liandong/workflow"

// string-width builds an Intl.Segmenter when loaded and Unicode-property regexes when first
// used (30 ms and more of a listing's start): it is loaded only for text beyond the characters
// whose widths are plain — one column for printable ASCII, Latin-1, dashes, quotes, box drawing
// and the marks the CLI prints (✓ ✗ ⚠ → …); two for the common CJK ranges and full-width forms.
const narrow =
  "\\x20-\\x7e\\xa1-\\xac\\xae-\\xff\\u2010-\\u2027\\u2192\\u21a9\\u21bb\\u2500-\\u257f\\u25a0\\u25b6\\u25d0\\u26a0\\u270e\\u2713\\u2717"
const wideRanges =
  "\\u3000-\\u3029\\u3030-\\u303e\\u3041-\\u3096\\u309b-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uff01-\\uff60\\uffe0-\\uffe6"
const plain = new RegExp(`^[${narrow}${wideRanges}]*$`, "u")
const wide = new RegExp(`[${wideRanges}]`, "gu")
let stringWidth: ((text: string) => number) | undefined

/** Columns a text takes in a terminal (CJK characters count two). */
export const displayWidth = (text: string): number => {
  if (plain.test(text)) return text.length + (text.match(wide)?.length ?? 0)
  stringWidth ??= (createRequire(import.meta.url)("string-width") as { default: (text: string) => number }).default
  return stringWidth(text)
}

/** Pads text to a display width (CJK characters count two columns). */
const pad = (text: string, width: number) => text + " ".repeat(Math.max(0, width - displayWidth(text)))

/** Renders rows as an aligned text table with a header rule. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ""))))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => pad(c, widths[i] ?? 0))
      .join("  ")
      .trimEnd()
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n")
}

/** JSON for machines: stable, indented, dates as ISO strings. */
export const json = (value: unknown): string => JSON.stringify(value, null, 2)

/** The one line an error prints: Chinese first, English after. */
export const errorLine = (error: unknown): string => {
  if (typeof error === "object" && error !== null && "zh" in error && "en" in error) {
    const { zh, en } = error as { zh: string; en: string }
    return `错误:${zh} | error: ${en}`
  }
  return `错误:意外故障,使用 --debug 查看详情 | error: unexpected failure, run with --debug for details (${String(error)})`
}

/** A deadline: a whole-day one (stored as the next midnight) reads "2026-07-03 24:00". */
export const deadlineText = (value: Date | string, timeZone = "Asia/Shanghai"): string => {
  const day = wholeDayEnding(new Date(value), timeZone)
  return day === undefined ? when(value, timeZone) : `${when(day, timeZone).slice(0, -6)} 24:00`
}

/** Formats a date for people, in the campaign's usual zone. */
export const when = (value: Date | string | null | undefined, timeZone = "Asia/Shanghai"): string => {
  if (value === null || value === undefined) return "—"
  const date = typeof value === "string" ? new Date(value) : value
  return new Intl.DateTimeFormat("zh-CN", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  })
    .format(date)
    .replaceAll("/", "-")
}
