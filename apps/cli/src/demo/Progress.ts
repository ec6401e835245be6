/**
 * The demo's running commentary: after each step, what the journal recorded
 * since the last one, told as a coordinator would want to read it.
 */
import { Db } from "@liandong/engine"
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

/** Tells what happened in the journal after `afterSeq`; returns the new position and the lines. */
export const progressSince = (campaign: Campaign, afterSeq: number, overdue: Set<string>) =>
  Effect.gen(function* () {
    const { kysely } = yield* Db
    const rows = yield* Effect.promise(() =>
      kysely
        .selectFrom("journal")
        .select(["seq", "unit_key", "actor", "event", "payload", "state_before", "state_after", "occurred_at"])
        .where("campaign_id", "=", campaign.key)
        .where("seq", ">", afterSeq)
        .orderBy("seq")
        .execute(),
    )
    const tz = campaign.timeZone
    const line = (at: Date, text: string) => ({ at, text: `${time(at, tz)}  ${text}` })
    const unitName = new Map(campaign.units.map((u) => [u.key, u.name]))
    const taskTitle = new Map(campaign.phases.flatMap((p) => p.tasks.map((t) => [t.key, t.title.zh] as const)))
    const phaseName = new Map(campaign.phases.map((p) => [p.key, p.name.zh]))
    const lines: Array<{ at: Date; text: string }> = []
    const counts = new Map<string, number>()
    for (const row of rows) {
      const payload = row.payload as { task?: string; phase?: string; reason?: string }
      const unit = unitName.get(row.unit_key ?? "") ?? ""
      const task = taskTitle.get(payload.task ?? "") ?? payload.task ?? ""
      const before = String(row.state_before)
      const after = String(row.state_after)
      if (row.unit_key === null) {
        for (const phase of campaign.phases) {
          const name = phaseName.get(phase.key)
          if (!before.includes(`${phase.key}.open`) && after.includes(`${phase.key}.open`))
            lines.push(line(row.occurred_at, `▶ 阶段“${name}”开启`))
          if (before.includes(`${phase.key}.open`) && !after.includes(`${phase.key}.open`))
            lines.push(line(row.occurred_at, `■ 阶段“${name}”关闭`))
        }
        if (row.event === "summary.written") lines.push(line(row.occurred_at, `✎ 汇总报告已生成,活动结束`))
        continue
      }
      const key = `${row.unit_key}/${payload.task}`
      const taskState = (text: string) => new RegExp(`[{,.]${payload.task}[:.](\\w+)`).exec(text)?.[1]
      if (row.event === "task.remind") lines.push(line(row.occurred_at, `⏰ 提醒 ${unit}:“${task}”即将截止`))
      else if (row.event === "task.deadline" && taskState(before) !== "submitted") {
        overdue.add(key)
        lines.push(line(row.occurred_at, `⚠ 逾期 ${unit}:“${task}”已过截止时间仍未报送`))
      } else if (row.event === "task.return")
        lines.push(line(row.occurred_at, `↩ 退回 ${unit}“${task}”:${payload.reason ?? ""}`))
      else if (row.event === "task.submit" && taskState(before) === "returned")
        lines.push(line(row.occurred_at, `↻ 重报 ${unit}“${task}”`))
      else if (row.event === "task.submit" && overdue.has(key))
        lines.push(line(row.occurred_at, `✓ 补报 ${unit}“${task}”(逾期后报送)`))
      const name = actionNames[row.event]
      if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1)
    }
    const summary = [...counts].map(([name, n]) => `${name} ${n} 项`).join(",")
    return { seq: rows.at(-1)?.seq ?? afterSeq, lines, summary }
  })
