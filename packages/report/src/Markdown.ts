/** The summary model as Markdown: the official text, then the appendix tables with exact values and sources. */
import type { SummaryModel } from "./Model.ts"

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ")

// One formatter per time zone: building one per row costs more time and memory than the whole table.
const formatters = new Map<string, Intl.DateTimeFormat>()

/** Month, day and time in `timeZone`, as Chinese tables write them ("4/13 08:30"). */
export const shortStamp = (date: Date, timeZone: string): string => {
  let format = formatters.get(timeZone)
  if (format === undefined) {
    format = new Intl.DateTimeFormat("zh-CN", {
      timeZone,
      month: "numeric",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
    })
    formatters.set(timeZone, format)
  }
  return format.format(date)
}

const stamp = (date: Date | null, timeZone: string) => (date === null ? "—" : shortStamp(date, timeZone))

/** A total's sources: each report with the journal row that approved it ("21(#130)"). */
const sources = (t: SummaryModel["totals"][number], lang: SummaryModel["lang"]) =>
  t.sources.map((s) => `${s.report}(#${s.journal ?? "—"})`).join(lang === "en" ? ", " : "、")

/** Renders the summary as Markdown. */
export const renderMarkdown = (model: SummaryModel, timeZone = "Asia/Shanghai"): string => {
  const out: string[] = [`# ${model.title}`, ""]
  if (model.draft) out.push(`> ${model.labels.draftNotice}`, "")
  out.push(model.opening, "")
  for (const [n, section] of model.sections.entries()) {
    out.push(`## ${model.labels.sectionNumber(section.number, n + 1)}${section.heading}`, "")
    if (section.lead !== null) out.push(section.lead, "")
    if (section.items.length === 1) out.push((section.items[0] as { text: string }).text, "")
    else for (const [i, item] of section.items.entries()) out.push(`${model.labels.itemNumber(i + 1)}${item.text}`, "")
  }
  if (model.closing !== "") out.push(model.closing, "")
  out.push(
    `## ${model.labels.appendixTotals}`,
    "",
    `| ${model.labels.totalsHeader.join(" | ")} |`,
    "| --- | --- | ---: | --- | ---: | --- |",
  )
  for (const t of model.totals) {
    out.push(
      `| ${cell(t.task)} | ${cell(t.label)} | ${t.exact}${cell(t.measure)} | ${cell(t.phrase)} | ${t.units} | ${sources(t, model.lang) || "—"} |`,
    )
  }
  out.push(
    "",
    `## ${model.labels.appendixUnits}`,
    "",
    `| ${model.labels.unitsHeader.join(" | ")} |`,
    "| --- | --- | --- | --- | --- | --- |",
  )
  for (const r of model.reports) {
    out.push(
      `| ${cell(r.unit)} | ${cell(r.taskTitle)} | ${r.report} | ${stamp(r.submittedAt, timeZone)} | ${stamp(r.approvedAt, timeZone)} | ${cell(r.figures) || "—"} |`,
    )
  }
  return `${out.join("\n")}\n`
}
