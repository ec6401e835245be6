/** The units × phases status table as text. */
import type { PhaseCell, statusTable } from "@liandong/engine/reads"
import type { Effect } from "effect"
import { table } from "./Output.ts"

type Status = Effect.Success<ReturnType<typeof statusTable>>

const cellText = (cell: PhaseCell | null): string => {
  if (cell === null) return "—"
  const marks = `${cell.overdue ? " ⚠逾期" : ""}${cell.returned ? " ↩退回" : ""}`
  switch (cell.state) {
    case "done":
      return `✓ 完成${marks}`
    case "waiting":
      return `· 待开始`
    case "closed":
      return `✗ 未完成 ${cell.approved}/${cell.total}${marks}`
    case "active":
      return `◐ ${cell.approved}/${cell.total}${marks}`
  }
}

const campaignStatusZh: Record<string, string> = {
  deployed: "已部署 deployed",
  running: "进行中 running",
  summarizing: "汇总中 summarizing",
  closed: "已结束 closed",
}

/** Renders the status table with a legend. */
export const renderStatus = (status: Status): string => {
  const header = ["单位 unit", ...status.phases.map((p) => `${p.name.zh} ${p.key}`)]
  const rows = status.rows.map((row) => [row.name, ...status.phases.map((p) => cellText(row.phases[p.key] ?? null))])
  const phase = status.phases.find((p) => p.key === status.phase)
  // Between phases the campaign already points at the next one, which nothing has opened yet.
  const opened =
    phase !== undefined && status.rows.some((row) => (row.phases[phase.key]?.state ?? "waiting") !== "waiting")
  const where = phase === undefined ? "" : opened ? `,当前阶段:${phase.name.zh}` : `,下一阶段:${phase.name.zh}(待开始)`
  return [
    `${status.title}(${status.campaign})— ${campaignStatusZh[status.status] ?? status.status}${where}`,
    "",
    table(header, rows),
    "",
    "✓ 完成 done  ◐ 进行中 in progress (approved/total)  · 待开始 waiting  ✗ 未完成 closed incomplete  ⚠ 逾期 overdue  ↩ 退回 returned",
  ].join("\n")
}
