/**
 * `liandong audit`: verify the journal (online, or an export with no
 * database), export it, sign a checkpoint, and read who did what.
 */
import { join } from "node:path"
import { IsoTime } from "@liandong/api"
import {
  accountability,
  checkpointNow,
  exportCampaign,
  listKeys,
  readExport,
  readTrustedKeys,
  rotateKey,
  trail,
  type Verdict,
  verifyCampaign,
  verifyExport,
} from "@liandong/engine/audit"
import { Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { deadlineText, json, table, when } from "./Output.ts"
import { actorFor } from "./Root.ts"
import { run } from "./Run.ts"

const report = (verdict: Verdict, asJson: boolean): string => {
  if (asJson) return json(verdict)
  const counts = `${verdict.rows} 行日志,${verdict.checkpoints} 个检查点,${verdict.machines} 个状态机 / ${verdict.rows} rows, ${verdict.checkpoints} checkpoints, ${verdict.machines} machines`
  const uncovered =
    verdict.uncovered > 0
      ? `\n  注意:${verdict.uncovered} 行日志早于内容记录,其报送未与日志核对 / note: ${verdict.uncovered} rows predate content in the journal; their reports were not checked against it`
      : ""
  if (verdict.ok) {
    return `✓ 核验通过:哈希链完整,检查点签名有效且与日志一致,报送数据与总结合计与日志所记一致,重放结果与存储快照一致\n✓ verified: the hash chain is intact, every checkpoint is signed and matches, the reports and the summary's totals are what the journal recorded, every replay equals its stored snapshot\n  ${counts}${uncovered}`
  }
  const [first, ...rest] = verdict.findings
  return [
    `✗ 核验失败 / verification failed — ${counts}`,
    `  首个问题 first problem: ${first?.zh} / ${first?.en}`,
    ...rest.slice(0, 20).map((f) => `  · ${f.zh} / ${f.en}`),
  ].join("\n")
}

const verify = Command.make(
  "verify",
  {
    campaign: Argument.String("campaign").pipe(Argument.optional),
    from: Flag.String("from").pipe(Flag.withDescription("verify an export directory, offline"), Flag.optional),
    checkpoints: Flag.String("checkpoints").pipe(
      Flag.withDescription("an export directory whose signed checkpoints (kept outside) to check against"),
      Flag.optional,
    ),
    trust: Flag.String("trust").pipe(
      Flag.withDescription(
        "a public key (PEM file) received out of band: only checkpoints such keys signed are believed; repeatable",
      ),
      Flag.between(0, 64),
    ),
  },
  ({ campaign, from, checkpoints, trust }) => {
    const outside = Option.map(checkpoints, (dir) => join(dir, "checkpoints.json"))
    const trusted = trust.length === 0 ? undefined : readTrustedKeys(trust)
    if (Option.isSome(from)) {
      return run(
        function* (ctx) {
          const pinned = trusted === undefined ? undefined : yield* trusted
          const verdict = yield* verifyExport(from.value, Option.getOrUndefined(outside), pinned)
          if (!verdict.ok) process.exitCode = 1
          return report(verdict, ctx.json)
        },
        { database: false },
      )
    }
    return run(function* (ctx) {
      const key = Option.getOrElse(campaign, () => "")
      const held = Option.isSome(checkpoints) ? yield* readExport(checkpoints.value) : undefined
      const pinned = trusted === undefined ? undefined : yield* trusted
      const verdict = yield* verifyCampaign(key, yield* actorFor(ctx.as), {
        ...(held === undefined ? {} : { checkpoints: held.checkpoints, keys: held.keys }),
        ...(pinned === undefined ? {} : { trusted: pinned }),
      })
      if (!verdict.ok) process.exitCode = 1
      return report(verdict, ctx.json)
    })
  },
).pipe(Command.withDescription("核验日志哈希链、检查点和重放 / verify chain, checkpoints and replay"))

const exportCommand = Command.make(
  "export",
  {
    campaign: Argument.String("campaign"),
    out: Flag.String("out"),
    hashesOnly: Flag.Boolean("hashes-only").pipe(
      Flag.withDescription("leave the reports' files out: the journal still holds each file's SHA-256"),
    ),
  },
  ({ campaign, out, hashesOnly }) =>
    run(function* (ctx) {
      const result = yield* exportCampaign(campaign, yield* actorFor(ctx.as), out, { hashesOnly })
      return ctx.json
        ? json(result)
        : `已导出 ${result.rows} 行日志、${result.checkpoints} 个检查点和 ${result.files} 个附件到 ${result.dir} / exported`
    }),
).pipe(
  Command.withDescription(
    "导出日志、检查点、公钥和报送附件 / export the journal, checkpoints, public key and the reports' files",
  ),
)

const checkpoint = Command.make("checkpoint", { campaign: Argument.String("campaign") }, ({ campaign }) =>
  run(function* (ctx) {
    const result = yield* checkpointNow(campaign, yield* actorFor(ctx.as))
    return ctx.json
      ? json(result)
      : `已签署检查点:第 ${result.seq} 行,${result.head?.slice(0, 16) ?? "—"}… / checkpoint signed`
  }),
).pipe(Command.withDescription("立即签署检查点 / sign a checkpoint now"))

const csv = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<unknown>>) =>
  [header, ...rows]
    .map((row) => row.map((cell) => `"${String(cell ?? "").replaceAll('"', '""')}"`).join(","))
    .join("\n")

const eventNames: Record<string, string> = {
  "campaign.deployed": "部署活动",
  "campaign.start": "启动活动",
  "phase.due": "阶段到期开启",
  "phase.deadline": "阶段截止",
  "phase.open": "阶段开启",
  "phase.close": "阶段关闭",
  "phase.force-close": "提前关闭阶段",
  "unit.phase-done": "单位完成阶段",
  "task.acknowledge": "确认接收",
  "task.submit": "报送",
  "task.approve": "审核通过",
  "task.return": "退回",
  "task.remind": "提醒",
  "task.deadline": "截止",
  "task.escalate": "逾期上报",
  "summary.written": "生成总结",
  "campaign.changed": "变更活动定义",
  "access.denied": "越权尝试(已拒绝)",
  nudge: "催办",
  "queue.dead": "多次处理失败(已停止重试)",
  "webhook.added": "登记通知端点",
  "webhook.removed": "移除通知端点",
}

const trailCommand = Command.make(
  "trail",
  {
    campaign: Argument.String("campaign"),
    unit: Flag.String("unit").pipe(Flag.optional),
    actor: Flag.String("actor").pipe(Flag.optional),
    task: Flag.String("task").pipe(Flag.optional),
    since: Flag.String("since").pipe(Flag.withSchema(IsoTime), Flag.optional),
    until: Flag.String("until").pipe(Flag.withSchema(IsoTime), Flag.optional),
    csv: Flag.Boolean("csv").pipe(Flag.withDefault(false)),
  },
  (flags) =>
    run(function* (ctx) {
      const time = (value: Option.Option<string>) => Option.getOrUndefined(Option.map(value, (v) => new Date(v)))
      const entries = yield* trail(flags.campaign, yield* actorFor(ctx.as), {
        unit: Option.getOrUndefined(flags.unit),
        actor: Option.getOrUndefined(flags.actor),
        task: Option.getOrUndefined(flags.task),
        since: time(flags.since),
        until: time(flags.until),
      })
      if (ctx.json) return json(entries)
      const header = [
        "序号 seq",
        "时间 time",
        "操作人 actor",
        "角色 role",
        "单位 unit",
        "事项 event",
        "任务 task",
        "之前 → 之后",
        "说明 detail",
      ]
      const rows = entries.map((e) => [
        String(e.seq),
        when(e.at),
        e.actor,
        e.role,
        e.unit ?? "—",
        eventNames[e.event] ?? e.event,
        e.task ?? "",
        e.before === e.after ? "" : `${e.before} → ${e.after}`,
        [e.detail, e.cause !== "command" ? e.cause : null, e.idempotencyKey ? `key ${e.idempotencyKey}` : null]
          .filter(Boolean)
          .join("; "),
      ])
      return flags.csv ? csv(header, rows) : table(header, rows)
    }),
).pipe(Command.withDescription("谁在何时做了什么 / who did what, when"))

const accountabilityCommand = Command.make(
  "accountability",
  { campaign: Argument.String("campaign"), csv: Flag.Boolean("csv").pipe(Flag.withDefault(false)) },
  (flags) =>
    run(function* (ctx) {
      const rows = yield* accountability(flags.campaign, yield* actorFor(ctx.as))
      if (ctx.json) return json(rows)
      const header = [
        "单位 unit",
        "任务 task",
        "截止 deadline",
        "确认 acknowledged",
        "报送 reported",
        "逾期 late",
        "退回 returns",
        "提醒 reminders",
        "审核人 approved by",
        "状态 status",
      ]
      const late = (minutes: number | null) =>
        minutes === null
          ? ""
          : minutes >= 1440
            ? `${Math.floor(minutes / 1440)}天${Math.floor((minutes % 1440) / 60)}小时`
            : `${Math.floor(minutes / 60)}小时${minutes % 60}分`
      const cells = rows.map((r) => [
        r.unitName,
        r.taskTitle,
        deadlineText(r.deadline),
        when(r.acknowledgedAt),
        when(r.reportedAt),
        late(r.lateMinutes),
        String(r.returns),
        String(r.reminded),
        r.approvedBy ?? "—",
        r.status,
      ])
      return flags.csv ? csv(header, cells) : table(header, cells)
    }),
).pipe(Command.withDescription("各单位履职情况 / per-unit accountability"))

const keysList = Command.make("list", {}, () =>
  run(function* (ctx) {
    const ring = yield* listKeys(yield* actorFor(ctx.as))
    if (ctx.json) return json(ring)
    return table(
      ["密钥 key", "启用 from", "停用 until", "公钥 public key"],
      ring.map((k) => [
        k.keyId,
        when(k.validFrom),
        k.validUntil === null ? "—" : when(k.validUntil),
        k.publicKey.split("\n")[1] ?? "",
      ]),
    )
  }),
).pipe(Command.withDescription("签名密钥环 / the signing key ring"))

const keysRotate = Command.make("rotate", {}, () =>
  run(function* (ctx) {
    const rotated = yield* rotateKey(yield* actorFor(ctx.as))
    return ctx.json
      ? json(rotated)
      : `已更换签名密钥:${rotated.retired} 停用,${rotated.current} 启用 / key rotated: ${rotated.retired} retired, ${rotated.current} signs from now on`
  }),
).pipe(Command.withDescription("更换签名密钥(系统管理员)/ rotate the signing key (operator)"))

const keys = Command.make("keys").pipe(
  Command.withSubcommands([keysList, keysRotate]),
  Command.withDescription("签名密钥:列出、更换 / signing keys: list, rotate"),
)

/** The audit command group. */
export const auditCommand = Command.make("audit").pipe(
  Command.withSubcommands([verify, exportCommand, checkpoint, keys, trailCommand, accountabilityCommand]),
  Command.withDescription("审计:核验、导出、追溯 / audit: verify, export, trace"),
)
