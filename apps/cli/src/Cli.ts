/**
 * `liandong`: the command line. Every command decodes its input, runs an
 * engine command as a principal (`--as`) or as the operator, and prints a
 * table, or JSON with --json. Errors are one line in Chinese and English.
 */
import {
  acknowledge,
  addPrincipal,
  approve,
  closePhase,
  deploy,
  nudge,
  returnReport,
  startCampaign,
  submitReport,
} from "@liandong/engine/commands"
import { listPrincipals } from "@liandong/engine/reads"
import { Console, Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { auditCommand } from "./AuditCommand.ts"
import { backupCommands } from "./BackupCommand.ts"
import { changeCommands } from "./ChangeCommand.ts"
import { checkCommand } from "./CheckCommand.ts"
import { dbCommand } from "./DbCommand.ts"
import { demoCommand } from "./DemoCommand.ts"
import { exportCommand, unitsCommand } from "./ExportCommand.ts"
import { loadDefinitionFile, readJsonFile } from "./Files.ts"
import { keysCommand } from "./KeysCommand.ts"
import { campaignsCommand, reportsCommand, statusCommand, tasksCommand } from "./Listings.ts"
import { json, table } from "./Output.ts"
import { personCommand } from "./PersonCommand.ts"
import { initCommand } from "./Project.ts"
import { deployRemote } from "./RemoteDeploy.ts"
import { actorFor, liandong } from "./Root.ts"
import { run } from "./Run.ts"
import { serveCommand } from "./ServeCommand.ts"
import { summaryCommand } from "./SummaryCommand.ts"
import { tokenCommand } from "./TokenCommand.ts"
import { webhookCommand } from "./WebhookCommand.ts"
import { workerCommand } from "./WorkerCommand.ts"

const idempotency = Flag.String("key").pipe(Flag.withDescription("idempotency key (幂等键)"), Flag.optional)

/** What a deploy prints, the same whether the database is local or a server's. */
const deployed = (
  result: {
    campaign: string
    version: number
    units: number
    unchanged: boolean
    warnings: ReadonlyArray<{ path: string; zh: string; en: string }>
  },
  asJson: boolean,
) =>
  Effect.gen(function* () {
    if (asJson) return json(result)
    for (const w of result.warnings) yield* Console.error(`提醒:${w.path}: ${w.zh} / note: ${w.en}`)
    return result.unchanged
      ? `${result.campaign}\n(定义未变化,版本 ${result.version} / definition unchanged, version ${result.version})`
      : `${result.campaign}\n已部署版本 ${result.version},${result.units} 个参与单位 / deployed version ${result.version}, ${result.units} participating units`
  })

/** A setting from its flag, else from the environment. */
const flagOrEnv = (flag: Option.Option<string>, name: string) =>
  Option.orElse(flag, () => Option.fromNullishOr(process.env[name] === "" ? undefined : process.env[name]))

const deployCommand = Command.make(
  "deploy",
  {
    file: Argument.String("campaign-file").pipe(Argument.withDescription("a .ts, .js or .json campaign definition")),
    server: Flag.String("server").pipe(
      Flag.withDescription(
        "部署到运行中的联动服务(或 LIANDONG_SERVER)/ deploy to a running Liandong over HTTP (or LIANDONG_SERVER)",
      ),
      Flag.optional,
    ),
    token: Flag.String("token").pipe(
      Flag.withDescription("访问令牌(或 LIANDONG_TOKEN)/ the API token with --server (or LIANDONG_TOKEN)"),
      Flag.optional,
    ),
    key: idempotency,
  },
  (flags) => {
    const server = flagOrEnv(flags.server, "LIANDONG_SERVER")
    if (Option.isSome(server)) {
      return run(
        function* (ctx) {
          const token = flagOrEnv(flags.token, "LIANDONG_TOKEN")
          if (Option.isNone(token)) {
            return yield* Effect.fail({
              zh: "部署到服务器需要访问令牌:--token 或环境变量 LIANDONG_TOKEN",
              en: "deploying to a server needs a token: --token or LIANDONG_TOKEN",
            })
          }
          const input = yield* loadDefinitionFile(flags.file)
          const result = yield* deployRemote(input, {
            server: server.value,
            token: token.value,
            key: Option.getOrUndefined(flags.key),
          })
          return yield* deployed(result, ctx.json)
        },
        { database: false },
      )
    }
    return run(function* (ctx) {
      const input = yield* loadDefinitionFile(flags.file)
      const result = yield* deploy(input, yield* actorFor(ctx.as))
      return yield* deployed(result, ctx.json)
    })
  },
).pipe(
  Command.withDescription(
    "部署活动定义到本地数据库,或用 --server 部署到联动服务 / deploy a campaign definition (to a server with --server); prints the campaign id",
  ),
)

const startCommand = Command.make("start", { campaign: Argument.String("campaign") }, ({ campaign }) =>
  run(function* (ctx) {
    const result = yield* startCampaign(campaign, yield* actorFor(ctx.as))
    return ctx.json ? json(result) : `活动 ${result.campaign} 已启动 / campaign started`
  }),
).pipe(Command.withDescription("启动活动 / start a campaign"))

const closePhaseCommand = Command.make(
  "close-phase",
  { campaign: Argument.String("campaign"), phase: Argument.String("phase") },
  ({ campaign, phase }) =>
    run(function* (ctx) {
      const result = yield* closePhase(campaign, phase, yield* actorFor(ctx.as))
      return ctx.json ? json(result) : `阶段 ${phase} 已关闭 / phase closed`
    }),
).pipe(Command.withDescription("提前关闭阶段 / close an open phase now"))

const ackCommand = Command.make("ack", { task: Argument.String("task"), key: idempotency }, ({ task, key }) =>
  run(function* (ctx) {
    const result = yield* acknowledge(task, yield* actorFor(ctx.as), { idempotencyKey: Option.getOrNull(key) })
    return ctx.json
      ? json(result)
      : `已确认接收 ${result.task} / acknowledged${result.replayed ? "(重复请求,未重复执行 / replayed)" : ""}`
  }),
).pipe(Command.withDescription("确认接收任务 / acknowledge a task"))

const reportCommand = Command.make(
  "report",
  {
    task: Argument.String("task"),
    figure: Flag.String("figure").pipe(Flag.withDescription("key=value, repeatable"), Flag.atLeast(0)),
    text: Flag.String("text").pipe(Flag.withDescription("工作情况 what was done"), Flag.optional),
    highlights: Flag.String("highlights").pipe(Flag.optional),
    difficulties: Flag.String("difficulties").pipe(Flag.optional),
    file: Flag.String("file").pipe(Flag.withDescription("report.json with {figures, narrative}"), Flag.optional),
    key: idempotency,
  },
  (flags) =>
    run(function* (ctx) {
      const fromFile = Option.isSome(flags.file) ? yield* readJsonFile(flags.file.value) : {}
      const base = (typeof fromFile === "object" && fromFile !== null ? fromFile : {}) as {
        figures?: Record<string, unknown>
        narrative?: Record<string, unknown>
      }
      const figures: Record<string, unknown> = { ...base.figures }
      for (const pair of flags.figure) {
        const at = pair.indexOf("=")
        figures[at < 0 ? pair : pair.slice(0, at)] = at < 0 ? "" : pair.slice(at + 1)
      }
      const narrative: Record<string, unknown> = { ...base.narrative }
      if (Option.isSome(flags.text)) narrative.narrative = flags.text.value
      if (Option.isSome(flags.highlights)) narrative.highlights = flags.highlights.value
      if (Option.isSome(flags.difficulties)) narrative.difficulties = flags.difficulties.value
      const result = yield* submitReport(flags.task, { figures, narrative }, yield* actorFor(ctx.as), {
        idempotencyKey: Option.getOrNull(flags.key),
      })
      return ctx.json
        ? json(result)
        : `已报送 ${result.task},报送编号 ${result.report}(第 ${result.attempt} 次)/ report ${result.report} submitted`
    }),
).pipe(Command.withDescription("报送任务完成情况 / submit a report"))

const approveCommand = Command.make(
  "approve",
  {
    report: Argument.String("report"),
    comment: Flag.String("comment").pipe(
      Flag.withDescription('审批意见,默认“同意” / the approval\'s comment, "同意" by default'),
      Flag.optional,
    ),
    key: idempotency,
  },
  ({ report, comment, key }) =>
    run(function* (ctx) {
      const result = yield* approve(report, yield* actorFor(ctx.as), {
        idempotencyKey: Option.getOrNull(key),
        comment: Option.getOrUndefined(comment),
      })
      return ctx.json ? json(result) : `报送 ${result.report} 已审核通过 / approved`
    }),
).pipe(Command.withDescription("审核通过报送 / approve a report"))

const returnCommand = Command.make(
  "return",
  { report: Argument.String("report"), reason: Flag.String("reason"), key: idempotency },
  ({ report, reason, key }) =>
    run(function* (ctx) {
      const result = yield* returnReport(report, reason, yield* actorFor(ctx.as), {
        idempotencyKey: Option.getOrNull(key),
      })
      return ctx.json ? json(result) : `报送 ${result.report} 已退回 / returned`
    }),
).pipe(Command.withDescription("退回报送并说明理由 / return a report with a reason"))

const nudgeCommand = Command.make(
  "nudge",
  {
    campaign: Argument.String("campaign"),
    phase: Flag.String("phase").pipe(Flag.withDescription("只催办此阶段 / only this phase"), Flag.optional),
    task: Flag.String("task").pipe(Flag.withDescription("只催办此任务 / only this task"), Flag.optional),
    unit: Flag.String("unit").pipe(
      Flag.withDescription("催办的单位,可重复 / a unit to nudge, repeatable"),
      Flag.atLeast(0),
    ),
    notAcknowledged: Flag.Boolean("not-acknowledged").pipe(
      Flag.withDescription("所有未确认接收的单位 / every unit that has not acknowledged"),
      Flag.withDefault(false),
    ),
    notReported: Flag.Boolean("not-reported").pipe(
      Flag.withDescription("所有未报送的单位 / every unit that has not reported"),
      Flag.withDefault(false),
    ),
    returned: Flag.Boolean("returned").pipe(
      Flag.withDescription("所有被退回待重报的单位 / every unit whose report was returned and not reported again"),
      Flag.withDefault(false),
    ),
    message: Flag.String("message").pipe(Flag.withDescription("留言(至多 500 字)/ a message"), Flag.optional),
    key: idempotency,
  },
  (flags) =>
    run(function* (ctx) {
      const which = [
        ...(flags.notAcknowledged ? ["unacknowledged"] : []),
        ...(flags.notReported ? ["unreported"] : []),
        ...(flags.returned ? ["returned"] : []),
      ]
      // Two selectors, or units and a selector, reach the engine as they are: it refuses them by field.
      const body = {
        ...(Option.isSome(flags.phase) ? { phase: flags.phase.value } : {}),
        ...(Option.isSome(flags.task) ? { task: flags.task.value } : {}),
        ...(flags.unit.length > 0 ? { units: flags.unit } : {}),
        ...(which.length === 1 ? { which: which[0] } : which.length > 1 ? { which } : {}),
        ...(Option.isSome(flags.message) ? { message: flags.message.value } : {}),
      }
      const result = yield* nudge(flags.campaign, body, yield* actorFor(ctx.as), {
        idempotencyKey: Option.getOrNull(flags.key),
      })
      if (ctx.json) return json(result)
      return [
        `已催办 ${result.units.length} 个单位 / nudged ${result.units.length} unit${result.units.length === 1 ? "" : "s"}${result.replayed ? "(重复请求,未重复执行 / replayed)" : ""}:`,
        ...result.units.map((unit) => `  ${unit}`),
        `日志第 ${result.journal} 行 / journal row ${result.journal}`,
      ].join("\n")
    }),
).pipe(
  Command.withDescription(
    "催办:指定单位,或所有未确认、未报送、待重报的单位 / nudge named units, or every unit not acknowledged, not reported or returned",
  ),
)

const principalAdd = Command.make(
  "add",
  {
    id: Argument.String("id"),
    name: Flag.String("name"),
    role: Flag.Literals("role", ["coordinator", "unit", "auditor"]),
    unit: Flag.String("unit").pipe(Flag.optional),
  },
  ({ id, name, role, unit }) =>
    run(function* (ctx) {
      const result = yield* addPrincipal({ id, name, role, unit: Option.getOrUndefined(unit) }, yield* actorFor(ctx.as))
      return ctx.json ? json(result) : `用户 ${result.id} 已登记 / principal saved`
    }),
)

const principalList = Command.make("list", {}, () =>
  run(function* (ctx) {
    const rows = yield* listPrincipals(yield* actorFor(ctx.as))
    if (ctx.json) return json(rows)
    return table(
      ["用户 id", "姓名 name", "角色 role", "单位 unit"],
      rows.map((r) => [r.id, r.name, r.role, r.unit_key ?? "—"]),
    )
  }),
)

const principalCommand = Command.make("principal").pipe(
  Command.withSubcommands([principalAdd, principalList]),
  Command.withDescription("管理用户 / manage principals"),
)

/** The whole command tree. */
export const cli = liandong.pipe(
  Command.withSubcommands([
    dbCommand,
    initCommand,
    checkCommand,
    deployCommand,
    ...changeCommands,
    campaignsCommand,
    startCommand,
    closePhaseCommand,
    statusCommand,
    tasksCommand,
    ackCommand,
    reportCommand,
    reportsCommand,
    approveCommand,
    returnCommand,
    nudgeCommand,
    workerCommand,
    summaryCommand,
    exportCommand,
    unitsCommand,
    principalCommand,
    personCommand,
    auditCommand,
    keysCommand,
    tokenCommand,
    webhookCommand,
    serveCommand,
    ...backupCommands,
    demoCommand,
  ]),
)
