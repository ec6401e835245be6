/**
 * The demo's body: the seed campaign from the preparatory meeting to the summary, on a fresh
 * embedded database and a simulated calendar. Loaded only by `liandong demo`, so no other
 * command evaluates the seed campaigns and what only the demo uses.
 */
import { mkdir, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { ipWeek, ipWeekExpectedTotals, ipWeekScript } from "@liandong/campaigns"
import { exportCampaign, verifyCampaign, verifyExport } from "@liandong/engine/audit"
import { statusTable, summaryFor, totalsFor } from "@liandong/engine/reads"
import { Clock, Log, loadActor, provisionSigningKey, Signer } from "@liandong/engine/runtime"
import { normalizeCampaign } from "@liandong/workflow"
import { Cause, Console, Effect, Layer } from "effect"
import { pino } from "pino"
import { errorLine } from "../Output.ts"
import { dbLayer } from "../Runtime.ts"
import { renderStatus } from "../Status.ts"
import { auditorPrincipal, coordinatorPrincipal, playScript } from "./Play.ts"
import { clockText, commentarySince } from "./Progress.ts"

const demo = (dataDir: string, outDir: string) =>
  Effect.gen(function* () {
    yield* Console.log(`联动 Liandong 演示 — ${ipWeek.title}(主题“${ipWeek.theme}”)`)
    yield* Console.log(
      `嵌入式数据库 ${dataDir},模拟日历 ${ipWeekScript.startAt.slice(0, 10)} → ${ipWeekScript.endAt.slice(0, 10)}\n`,
    )
    const definition = normalizeCampaign(ipWeek)
    let seq = 0
    const overdue = new Set<string>()
    const campaign = yield* playScript(ipWeek, ipWeekScript, (step) =>
      Effect.gen(function* () {
        const reader = yield* loadActor(coordinatorPrincipal(definition))
        const progress = yield* commentarySince(definition, reader, seq, overdue)
        seq = progress.seq
        const when = clockText(step.at, definition.timeZone)
        const stepAt = Date.parse(step.at)
        for (const line of progress.lines.filter((l) => l.at.getTime() < stepAt)) yield* Console.log(line.text)
        if (step.note !== undefined)
          yield* Console.log(`${when}  ${step.note}${progress.summary ? `(${progress.summary})` : ""}`)
        for (const line of progress.lines.filter((l) => l.at.getTime() >= stepAt))
          yield* Console.log(`    ${line.text}`)
      }),
    )
    const lead = yield* loadActor(coordinatorPrincipal(campaign))
    const status = yield* statusTable(campaign.key, lead)
    yield* Console.log(`\n${renderStatus(status)}\n`)
    const auditorActor = yield* loadActor(auditorPrincipal)
    const summary = yield* summaryFor(campaign.key, auditorActor)
    yield* Effect.promise(() => mkdir(outDir, { recursive: true }))
    const file = join(outDir, "summary.md")
    for (const format of ["md", "html", "docx"] as const) {
      const rendered = yield* summaryFor(campaign.key, auditorActor, { format })
      yield* Effect.promise(() => writeFile(join(outDir, `summary.${format}`), rendered.content))
    }
    const totals = (yield* totalsFor(campaign.key, lead)).figures
    yield* Console.log("数据核对 / totals check:")
    let ok =
      status.status === "closed" &&
      status.rows.every((r) => Object.values(r.phases).every((c) => c === null || c.state === "done"))
    for (const [figure, expected] of Object.entries(ipWeekExpectedTotals)) {
      const found = totals.find((t) => t.figure === figure)?.total
      ok &&= found === expected
      yield* Console.log(
        `  ${found === expected ? "✓" : "✗"} ${figure} = ${found ?? "—"}${found === expected ? "" : `(应为 ${expected})`}`,
      )
    }
    const auditor = yield* loadActor(auditorPrincipal)
    const verdict = yield* verifyCampaign(campaign.key, auditor)
    const exportDir = join(outDir, "audit")
    yield* exportCampaign(campaign.key, auditor, exportDir)
    const offline = yield* verifyExport(exportDir)
    ok &&= verdict.ok && offline.ok
    yield* Console.log(
      verdict.ok && offline.ok
        ? `\n✓ 审计核验通过:${verdict.rows} 行日志哈希链完整,${verdict.checkpoints} 个检查点签名有效,报送数据与总结合计与日志所记一致,${verdict.machines} 个状态机重放与快照一致;已导出到 ${exportDir},离线核验通过`
        : `\n✗ 审计核验失败:${[...verdict.findings, ...offline.findings][0]?.zh}`,
    )
    yield* Console.log(
      `\n汇总报告 / summary: ${file}(及 summary.html、summary.docx)${summary.draft ? "(草稿)" : `(第 ${summary.version} 版,sha256 ${String(summary.hash).slice(0, 12)}…)`}`,
    )
    if (!ok) return yield* Effect.fail(new Error("demo totals do not match the seed"))
  })

/** Wipes `dataDir`, runs the demo there and writes its outputs to `outDir`; a failure sets the exit code. */
export const runDemo = (dataDir: string, outDir: string) =>
  Effect.gen(function* () {
    yield* Effect.promise(() => rm(dataDir, { recursive: true, force: true }))
    // The demo's own key, in its own folder: made here, on purpose, as `keys init` would.
    const keyFile = join(dataDir, "keys", "checkpoint-ed25519.pem")
    yield* Effect.sync(() => provisionSigningKey(keyFile))
    const layer = Layer.mergeAll(
      dbLayer({ dataDir }),
      Clock.simulatedAt(new Date(ipWeekScript.startAt)),
      Layer.succeed(Log)(pino({ level: process.env.LOG_LEVEL ?? "warn" }, pino.destination(2))),
      Signer.fromFile(keyFile),
    )
    const exit = yield* Effect.exit(Effect.provide(demo(dataDir, outDir), layer))
    if (exit._tag === "Failure") {
      yield* Console.error(errorLine(Cause.squash(exit.cause)))
      process.exitCode = 1
    }
  })
