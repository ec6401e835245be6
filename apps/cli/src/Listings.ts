/**
 * The listings — `campaigns`, `status`, `tasks`, `reports` — read through the
 * engine's paged reads, as the API does. Each prints one page (`--limit`,
 * default 100, at most 500) and, when there is more, a line naming the
 * `--after` cursor that continues it (on stderr with --json, so the JSON
 * stays an array).
 */
import { pageCampaigns, pageReports, pageStatus, pageTasks } from "@liandong/engine/reads"
import { taskStateLabels } from "@liandong/workflow"
import { Console, Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { deadlineText, json, table } from "./Output.ts"
import { actorFor } from "./Root.ts"
import { run } from "./Run.ts"
import { renderStatus } from "./Status.ts"

const reportStatusZh: Record<string, string> = { submitted: "待审核", approved: "已通过", returned: "已退回" }

/** The paging flags every listing takes. */
const paging = {
  limit: Flag.Int("limit").pipe(
    Flag.withDescription("每页条数(默认 100,最多 500)/ items per page (default 100, at most 500)"),
    Flag.withDefault(100),
  ),
  after: Flag.String("after").pipe(
    Flag.withDescription("从上一页给出的游标继续 / continue from the cursor the previous page gave"),
    Flag.optional,
  ),
}

const pageOf = (flags: { limit: number; after: Option.Option<string> }) => ({
  limit: flags.limit,
  cursor: Option.getOrUndefined(flags.after),
})

/** The line that tells how to see the next page. */
export const moreLine = (cursor: string) =>
  `还有更多,加 --after ${cursor} 查看下一页 / more: add --after ${cursor} for the next page`

/** Prints `text` and, when there is a next page, how to get it (on stderr under --json). */
const withMore = (text: string, cursor: string | null, asJson: boolean) =>
  Effect.gen(function* () {
    if (cursor === null) return text
    if (asJson) {
      yield* Console.error(moreLine(cursor))
      return text
    }
    return `${text}\n${moreLine(cursor)}`
  })

/** `liandong campaigns`: the campaigns the principal may see, by id. */
export const campaignsCommand = Command.make("campaigns", paging, (flags) =>
  run(function* (ctx) {
    const page = yield* pageCampaigns(yield* actorFor(ctx.as), {}, pageOf(flags))
    const rows = page.items
    if (ctx.json) return yield* withMore(json(rows), page.nextCursor, true)
    if (rows.length === 0) return "没有活动 / no campaigns"
    const text = table(
      ["活动 campaign", "名称 title", "状态 status", "阶段 phase", "版本 version", "单位 units"],
      rows.map((r) => [r.id, r.title, r.status, r.phase ?? "—", String(r.version), String(r.units)]),
    )
    return yield* withMore(text, page.nextCursor, false)
  }),
).pipe(Command.withDescription("列出活动 / list campaigns"))

/** `liandong status <campaign>`: the units × phases table, a page of units at a time. */
export const statusCommand = Command.make(
  "status",
  {
    campaign: Argument.String("campaign"),
    laggards: Flag.Boolean("laggards").pipe(
      Flag.withDescription(
        "只列落后单位(逾期,或距截止不足 24 小时仍未报送)/ only the units behind (overdue, or unreported within 24 hours of a deadline)",
      ),
      Flag.withDefault(false),
    ),
    ...paging,
  },
  (flags) =>
    run(function* (ctx) {
      const { nextCursor, ...status } = yield* pageStatus(flags.campaign, yield* actorFor(ctx.as), pageOf(flags))
      if (ctx.json) {
        const rows = flags.laggards ? status.rows.filter((row) => row.laggard) : status.rows
        return yield* withMore(json({ ...status, rows }), nextCursor, true)
      }
      const paged = nextCursor !== null || Option.isSome(flags.after)
      return yield* withMore(renderStatus(status, { laggards: flags.laggards, paged }), nextCursor, false)
    }),
).pipe(Command.withDescription("单位 × 阶段进度表,按实际状态 / units × phases status table, by the real state"))

/** `liandong tasks`: the tasks the principal may see, by campaign, deadline, unit and task. */
export const tasksCommand = Command.make(
  "tasks",
  {
    unit: Flag.String("unit").pipe(Flag.optional),
    campaign: Flag.String("campaign").pipe(Flag.optional),
    ...paging,
  },
  (flags) =>
    run(function* (ctx) {
      const page = yield* pageTasks(
        yield* actorFor(ctx.as),
        { unit: Option.getOrUndefined(flags.unit), campaign: Option.getOrUndefined(flags.campaign) },
        pageOf(flags),
      )
      const rows = page.items.map((t) => ({
        ref: t.ref,
        campaign: t.campaign,
        unit: t.unit,
        task: t.task,
        title: t.title.zh,
        phase: t.phase,
        status: t.status,
        deadline: t.deadline,
        overdue: t.overdue,
        reminded: t.reminded,
        returns: t.returns,
        report: t.report,
      }))
      if (ctx.json) return yield* withMore(json(rows), page.nextCursor, true)
      if (rows.length === 0) return "没有任务 / no tasks"
      const text = table(
        ["任务 task", "名称 title", "状态 status", "截止 deadline", "逾期 overdue", "退回 returns"],
        rows.map((r) => [
          r.ref,
          r.title,
          `${taskStateLabels[r.status]?.zh ?? ""} ${r.status}`,
          deadlineText(r.deadline),
          r.overdue ? "⚠ 逾期" : "",
          String(r.returns),
        ]),
      )
      return yield* withMore(text, page.nextCursor, false)
    }),
).pipe(Command.withDescription("列出任务 / list tasks"))

/** `liandong reports`: the reports the principal may see, by number. */
export const reportsCommand = Command.make(
  "reports",
  {
    campaign: Flag.String("campaign").pipe(Flag.optional),
    status: Flag.Literals("status", ["submitted", "approved", "returned"]).pipe(Flag.optional),
    ...paging,
  },
  (flags) =>
    run(function* (ctx) {
      const page = yield* pageReports(
        yield* actorFor(ctx.as),
        { campaign: Option.getOrUndefined(flags.campaign), status: Option.getOrUndefined(flags.status) },
        pageOf(flags),
      )
      const rows = page.items.map((r) => ({
        id: r.id,
        task: r.ref,
        attempt: r.attempt,
        status: r.status,
        figures: r.figures,
        narrative: r.narrative,
        submittedBy: r.submittedBy,
        submittedAt: r.submittedAt,
        reviewedBy: r.reviewedBy,
        returnReason: r.returnReason,
      }))
      if (ctx.json) return yield* withMore(json(rows), page.nextCursor, true)
      if (rows.length === 0) return "没有报送 / no reports"
      const text = table(
        ["编号 id", "任务 task", "次 attempt", "状态 status", "数据 figures"],
        rows.map((r) => [
          r.id,
          r.task,
          String(r.attempt),
          `${reportStatusZh[r.status] ?? ""} ${r.status}`,
          Object.entries(r.figures)
            .map(([k, v]) => `${k}=${v}`)
            .join(" "),
        ]),
      )
      return yield* withMore(text, page.nextCursor, false)
    }),
).pipe(Command.withDescription("列出报送 / list reports"))
