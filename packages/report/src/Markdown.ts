/** The summary model as Markdown: the official text, then the appendix tables with exact values and sources. */
import type { SummaryModel } from "./Model.ts"
import { stock } from "./phrases.ts"

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ")

const stamp = (date: Date | null, timeZone: string) =>
  date === null
    ? "—"
    : new Intl.DateTimeFormat("zh-CN", {
        timeZone,
        month: "numeric",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hour12: false,
      }).format(date)

/** Renders the summary as Markdown. */
export const renderMarkdown = (model: SummaryModel, timeZone = "Asia/Shanghai"): string => {
  const out: string[] = [`# ${model.title}`, ""]
  if (model.draft) out.push(`> ${stock.draftNotice}`, "")
  out.push(model.opening, "")
  for (const section of model.sections) {
    out.push(`## ${section.number}、${section.heading}`, "")
    if (section.lead !== null) out.push(section.lead, "")
    if (section.items.length === 1) out.push((section.items[0] as { text: string }).text, "")
    else for (const [i, item] of section.items.entries()) out.push(`${i + 1}、${item.text}`, "")
  }
  out.push(model.closing, "")
  out.push(
    `## ${stock.appendixTotals}`,
    "",
    "| 任务 | 数据项 | 合计 | 表述 | 报送单位数 | 来源报送编号 |",
    "| --- | --- | ---: | --- | ---: | --- |",
  )
  for (const t of model.totals) {
    out.push(
      `| ${cell(t.task)} | ${cell(t.label)} | ${t.exact}${cell(t.measure)} | ${cell(t.phrase)} | ${t.units} | ${t.reports.join("、") || "—"} |`,
    )
  }
  out.push(
    "",
    `## ${stock.appendixUnits}`,
    "",
    "| 单位 | 任务 | 报送编号 | 报送时间 | 审核通过 | 数据 |",
    "| --- | --- | --- | --- | --- | --- |",
  )
  for (const r of model.reports) {
    out.push(
      `| ${cell(r.unit)} | ${cell(r.taskTitle)} | ${r.report} | ${stamp(r.submittedAt, timeZone)} | ${stamp(r.approvedAt, timeZone)} | ${cell(r.figures) || "—"} |`,
    )
  }
  return `${out.join("\n")}\n`
}
