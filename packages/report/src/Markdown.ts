/** The summary model as Markdown: the official text, then the appendix tables with exact values and sources. */
import { buildDocument, type DocAttachment, type DocumentOptions } from "./Document.ts"
import { escapeMarkup } from "./Markup.ts"
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

/** A total's sources: each report with the journal row that approved it ("21（#130）", in English "21 (#130)"). */
const sources = (t: SummaryModel["totals"][number], lang: SummaryModel["lang"]) =>
  lang === "en"
    ? t.sources.map((s) => `${s.report} (#${s.journal ?? "—"})`).join(", ")
    : t.sources.map((s) => `${s.report}（#${s.journal ?? "—"}）`).join("、")

/** Renders the summary as Markdown: the 公文 levels, 附件说明, 落款, then the attachments. */
export const renderMarkdown = (
  model: SummaryModel,
  timeZone = "Asia/Shanghai",
  options: DocumentOptions = {},
): string => {
  const doc = buildDocument(model, { timeZone, ...options })
  const out: string[] = [`# ${doc.title}`, ""]
  if (model.draft) out.push(`> ${model.labels.draftNotice}`, "")
  if (doc.addressee !== null) out.push(doc.addressee, "")
  for (const block of doc.body) {
    // Level 1 as ##, level 2 as ###; numbered items stay paragraphs, as on paper.
    const mark = block.level === 0 ? "" : `${"#".repeat(Math.min(block.level + 1, 4))} `
    out.push(`${mark}${block.number}${block.text}`, "")
  }
  // Trailing double spaces: Markdown's line break, so each attachment line and the 落款 keep their own line.
  out.push(doc.attachmentNote.join("  \n"), "")
  out.push(`<div align="right">${escapeMarkup(doc.issuer)}<br>${escapeMarkup(doc.date)}</div>`, "")
  const [totals, units] = doc.attachments as [DocAttachment, DocAttachment]
  const forAuditors = model.lang === "en" ? " (for auditors)" : "（供审核）"
  const totalsHeader = model.labels.totalsHeader.map((h, i) => (i === 5 ? `${h}${forAuditors}` : h))
  out.push(
    `## ${totals.label} ${totals.title}`,
    "",
    `| ${totalsHeader.join(" | ")} |`,
    "| --- | --- | ---: | --- | ---: | --- |",
  )
  // Tasks by title, as the reader knows them; a task without reports keeps its key.
  const titles = new Map(model.reports.map((r) => [r.task, r.taskTitle]))
  for (const t of model.totals) {
    out.push(
      `| ${cell(titles.get(t.task) ?? t.task)} | ${cell(t.label)} | ${cell(t.stated)} | ${cell(t.phrase)} | ${t.units} | ${sources(t, model.lang) || "—"} |`,
    )
  }
  const unitsHeader = model.labels.unitsHeader.map((h, i) => (i === 2 ? `${h}${forAuditors}` : h))
  out.push(
    "",
    `## ${units.label} ${units.title}`,
    "",
    `| ${unitsHeader.join(" | ")} |`,
    "| --- | --- | --- | --- | --- | --- |",
  )
  for (const r of model.reports) {
    out.push(
      `| ${cell(r.unit)} | ${cell(r.taskTitle)} | ${r.report} | ${stamp(r.submittedAt, timeZone)} | ${stamp(r.approvedAt, timeZone)} | ${cell(r.figures) || "—"} |`,
    )
  }
  return `${out.join("\n")}\n`
}
