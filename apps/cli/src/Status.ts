/** The units × phases status table as text, each cell worded by the real state of its tasks. */
import type { PhaseCell, PhaseTally, statusTable, TaskStage } from "@liandong/engine/reads"
import type { Effect } from "effect"
import { table } from "./Output.ts"

type Status = Effect.Success<ReturnType<typeof statusTable>>

/** The words of the web UI's cells (apps/web's catalog), so both say the same. */
const stageWords: Record<TaskStage, string> = {
  assigned: "未确认",
  acknowledged: "已确认未报送",
  submitted: "待审核",
  returned: "已退回待重报",
  overdue: "逾期",
  approved: "已通过",
}

const cellText = (cell: PhaseCell | null): string => {
  if (cell === null) return "—"
  const share = `${cell.approved}/${cell.total}`
  switch (cell.stage) {
    case "done":
      return "✓ 已通过"
    case "waiting":
      return "· 未开始"
    case "closed":
      return `✗ 阶段已关闭 ${share}`
    case "overdue":
      return `⚠ 逾期 ${cell.overdueDays ?? 1} 天 ${share}`
    case "returned":
      return `↩ 已退回待重报 ${share}`
    case "assigned":
      return `○ 未确认 ${share}`
    case "acknowledged":
      return `◔ 已确认未报送 ${share}`
    case "submitted":
      return `◑ 待审核 ${share}`
  }
}

const campaignStatusZh: Record<string, string> = {
  deployed: "已部署 deployed",
  running: "进行中 running",
  summarizing: "汇总中 summarizing",
  closed: "已结束 closed",
}

/** One phase's counts by state: units (tasks) in each, and the laggards. */
export const tallyLine = (tally: PhaseTally): string =>
  [
    ...(Object.keys(stageWords) as Array<TaskStage>).map(
      (stage) => `${stageWords[stage]} ${tally[stage].units}(${tally[stage].tasks} 项)`,
    ),
    `落后单位 ${tally.laggards}`,
  ].join(" · ")

/**
 * Renders the status table with the current phase's counts by state and a legend; `laggards`
 * keeps only the units behind (overdue, or unreported within 24 hours of a deadline).
 */
export const renderStatus = (
  status: Status,
  options: { readonly laggards?: boolean; readonly paged?: boolean } = {},
) => {
  const header = ["单位 unit", ...status.phases.map((p) => `${p.name.zh} ${p.key}`)]
  const shown = options.laggards ? status.rows.filter((row) => row.laggard) : status.rows
  const rows = shown.map((row) => [row.name, ...status.phases.map((p) => cellText(row.phases[p.key] ?? null))])
  const phase = status.phases.find((p) => p.key === status.phase)
  // Between phases the campaign already points at the next one, which nothing has opened yet.
  const opened =
    phase !== undefined && status.rows.some((row) => (row.phases[phase.key]?.state ?? "waiting") !== "waiting")
  const where = phase === undefined ? "" : opened ? `,当前阶段:${phase.name.zh}` : `,下一阶段:${phase.name.zh}(待开始)`
  const tally = phase !== undefined && opened ? status.tallies[phase.key] : undefined
  const counts =
    tally === undefined ? [] : [`${phase?.name.zh}${options.paged ? "(本页单位)" : ""}:${tallyLine(tally)}`]
  return [
    `${status.title}(${status.campaign})— ${campaignStatusZh[status.status] ?? status.status}${where}`,
    ...counts,
    "",
    rows.length === 0 && options.laggards ? "没有落后单位 / no unit is behind" : table(header, rows),
    "",
    "✓ 已通过 approved  ○ 未确认 not acknowledged  ◔ 已确认未报送 acknowledged, not reported  ◑ 待审核 awaiting review",
    "↩ 已退回待重报 returned  ⚠ 逾期 N 天 overdue N days  · 未开始 not started  ✗ 阶段已关闭 phase closed  (approved/total)",
  ].join("\n")
}
