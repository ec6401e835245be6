/**
 * The demo's running commentary: after each step, what the journal recorded
 * since the last one, told as a coordinator would want to read it.
 */
import { progressSince } from "@liandong/engine/reads"
import type { Actor } from "@liandong/engine/runtime"
import { shortStamp } from "@liandong/report"
import type { Campaign } from "@liandong/workflow"
import { Effect } from "effect"

const time = (iso: string | Date, timeZone: string) =>
  shortStamp(new Date(iso), timeZone).replace(/\//u, "月").replace(/ /u, "日 ")

const actionNames: Record<string, string> = {
  "task.acknowledge": "确认接收",
  "task.submit": "报送",
  "task.approve": "审核通过",
}

/** "4月13日 08:30" in the campaign's zone. */
export const clockText = time

/** Tells what happened in the journal after `afterSeq`, as `reader` may read it; returns the new position and the lines. */
export const commentarySince = (campaign: Campaign, reader: Actor, afterSeq: number, overdue: Set<string>) =>
  Effect.gen(function* () {
    const entries = yield* progressSince(campaign.key, reader, afterSeq)
    const tz = campaign.timeZone
    const line = (at: Date, text: string) => ({ at, text: `${time(at, tz)}  ${text}` })
    const unitName = new Map(campaign.units.map((u) => [u.key, u.name]))
    const taskTitle = new Map(campaign.phases.flatMap((p) => p.tasks.map((t) => [t.key, t.title.zh] as const)))
    const phaseName = new Map(campaign.phases.map((p) => [p.key, p.name.zh]))
    const lines: Array<{ at: Date; text: string }> = []
    const counts = new Map<string, number>()
    for (const entry of entries) {
      if (entry.unit === null) {
        for (const phase of campaign.phases) {
          const name = phaseName.get(phase.key)
          if (entry.opened.includes(phase.key)) lines.push(line(entry.at, `▶ 阶段“${name}”开启`))
          if (entry.closed.includes(phase.key)) lines.push(line(entry.at, `■ 阶段“${name}”关闭`))
        }
        if (entry.event === "summary.written") lines.push(line(entry.at, `✎ 汇总报告已生成,活动结束`))
        continue
      }
      const unit = unitName.get(entry.unit) ?? ""
      const task = taskTitle.get(entry.task ?? "") ?? entry.task ?? ""
      const key = `${entry.unit}/${entry.task}`
      if (entry.event === "task.remind") lines.push(line(entry.at, `⏰ 提醒 ${unit}:“${task}”即将截止`))
      else if (entry.event === "task.deadline" && entry.taskBefore !== "submitted") {
        overdue.add(key)
        lines.push(line(entry.at, `⚠ 逾期 ${unit}:“${task}”已过截止时间仍未报送`))
      } else if (entry.event === "task.return")
        lines.push(line(entry.at, `↩ 退回 ${unit}“${task}”:${entry.reason ?? ""}`))
      else if (entry.event === "task.submit" && entry.taskBefore === "returned")
        lines.push(line(entry.at, `↻ 重报 ${unit}“${task}”`))
      else if (entry.event === "task.submit" && overdue.has(key))
        lines.push(line(entry.at, `✓ 补报 ${unit}“${task}”(逾期后报送)`))
      const name = actionNames[entry.event]
      if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1)
    }
    const summary = [...counts].map(([name, n]) => `${name} ${n} 项`).join(",")
    return { seq: entries.at(-1)?.seq ?? afterSeq, lines, summary }
  })
