/**
 * How the CLI speaks: tables that line up with Chinese text, JSON on request,
 * and errors as one line (Chinese, then English) with details only under --debug.
 */
import stringWidth from "string-width"

/** Pads text to a display width (CJK characters count two columns). */
const pad = (text: string, width: number) => text + " ".repeat(Math.max(0, width - stringWidth(text)))

/** Renders rows as an aligned text table with a header rule. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(stringWidth(h), ...rows.map((r) => stringWidth(r[i] ?? ""))))
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
