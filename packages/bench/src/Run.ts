/**
 * One run of Liandong on one database: deploy the nation, start the
 * campaign, play the first three phases flat out (throughput), the last one
 * at half that command rate (latency), then time the national summary and the
 * audit-chain verification.
 */
import { verifyCampaign } from "@liandong/engine/audit"
import { startCampaign } from "@liandong/engine/commands"
import { summaryFor } from "@liandong/engine/reads"
import { sql } from "kysely"
import { calendar, campaignKey } from "./Campaign.ts"
import { perEvent, startCpuMeter } from "./Cpu.ts"
import { type Driver, journalLength, moveClock, type PhaseRecord, playPhase, type Sweep, waitIdle } from "./Load.ts"
import { peakRssKb } from "./Rss.ts"
import { type DatabaseKind, openBench } from "./Setup.ts"
import { type Latency, round1, summarize } from "./Stats.ts"
import { workerFiber, workerProcesses } from "./Workers.ts"

/** How to run. */
export interface RunOptions {
  readonly database: DatabaseKind
  readonly units: number
  readonly seed: number
  /** worker processes (PostgreSQL only; PGlite runs one worker in-process) */
  readonly workers: number
  /** commands in flight at full load */
  readonly concurrency: number
  /** hours the calendar moves at a time at full load (default 1) */
  readonly stepHours?: number
  readonly progress?: (line: string) => void
}

/** What a run measured. */
export interface RunFigures {
  readonly database: DatabaseKind
  readonly units: number
  readonly workers: number
  readonly concurrency: number
  readonly deploySeconds: number
  /** durable events (journal rows) of the whole campaign */
  readonly events: number
  readonly commands: number
  readonly failures: number
  readonly failureSamples: string[]
  /** from the start to the closed campaign */
  readonly endToEndSeconds: number
  /** journal rows a second while the first three phases ran flat out */
  readonly eventsPerSecond: number
  /** CPU ms an event over those phases: driver, workers and the database's backends (Linux) */
  readonly cpuMsPerEvent: number | undefined
  /** of that, the database's backends */
  readonly postgresCpuMsPerEvent: number | undefined
  readonly fullLoad: { commandLatency: Latency; reaction: Latency; commandsPerSecond: number }
  readonly halfLoad: {
    commandLatency: Latency
    /** of each kind of command: the tail is where the slowest kind is */
    commandLatencyByKind: Record<"ack" | "report" | "return" | "approve", Latency>
    reaction: Latency
    /** the rate the commands were issued at: half the flat-out phases' */
    pacedCommandsPerSecond: number
    /** over the phase's whole time, its sweeps (the opening, the deadline, the close) included */
    commandsPerSecond: number
    eventsPerSecond: number
  }
  /** each phase's wall time, events and commands (the last paced at half load), then the close */
  readonly phases: ReadonlyArray<{ phase: string; seconds: number; events: number; commands: number; paced: boolean }>
  readonly closeSeconds: number
  readonly sweeps: Sweep[]
  readonly deadlineSweep: { seconds: number; items: number }
  readonly summarySeconds: number
  readonly summaryBytes: number
  readonly auditVerify: { seconds: number; rows: number; ok: boolean }
  readonly rssMb: { driver: number; workers: number[] }
}

/** Reaction times (ms): from an approval's commit to the worker's transaction applying the unit's phase-done message. */
const reactions = async (driver: Driver, phases: ReadonlySet<string>) => {
  const { rows } = await sql<{ dedupe_key: string; recorded_at: Date }>`
    select m.dedupe_key, j.recorded_at from journal j
    join messages m on j.cause = 'message:' || m.id
    where j.campaign_id = ${campaignKey} and j.event = 'unit.phase-done'`.execute(driver.bench.store.db)
  const out: number[] = []
  for (const row of rows) {
    const [, , unit, phase] = row.dedupe_key.split(":")
    if (phase === undefined || !phases.has(phase)) continue
    const committed = driver.approvedAt.get(`${unit}:${phase}`)
    if (committed !== undefined) out.push(Math.max(0, new Date(row.recorded_at).getTime() - committed))
  }
  return out
}

/** Runs the whole campaign once and measures it. */
export const runLiandong = async (options: RunOptions): Promise<RunFigures> => {
  const say = options.progress ?? (() => undefined)
  const first = Date.parse(`${calendar[0].opens}:00+08:00`)
  const start = first - 3_600_000
  say(`${options.database}: deploying ${options.units} units`)
  const bench = await openBench({
    kind: options.database,
    units: options.units,
    seed: options.seed,
    poolSize: options.concurrency + 4,
    start,
  })
  try {
    say(`${options.database}: deployed in ${bench.deploySeconds.toFixed(1)} s; starting`)
    const workers =
      options.database === "postgres"
        ? await workerProcesses(options.workers, { url: bench.url as string, key: bench.keyFile, start, pollMs: 200 })
        : workerFiber(bench.runtime, 200)
    const driver: Driver = {
      bench,
      workers,
      concurrency: options.concurrency,
      stepMs: (options.stepHours ?? 1) * 3_600_000,
      approvedAt: new Map(),
      failureSamples: [],
    }
    const started = performance.now()
    const cpu = await startCpuMeter({
      pids: workers.pids,
      db: options.database === "postgres" ? bench.store.db : undefined,
    })
    await bench.runtime.runPromise(startCampaign(campaignKey, bench.principals.lead))
    const records: PhaseRecord[] = []
    const phases = bench.campaign.phases.map((p) => p.key)
    const full = phases.slice(0, -1)
    for (const phase of full) {
      records.push(await playPhase(driver, phase, options.seed))
      say(
        `${options.database}: ${phase} done (${records.at(-1)?.events} events in ${records.at(-1)?.seconds.toFixed(1)} s)`,
      )
    }
    const fullCpuMs = await cpu.read()
    const fullSeconds = records.reduce((s, r) => s + r.seconds, 0)
    const fullCommands = records.reduce((s, r) => s + r.commands, 0)
    const fullEvents = records.reduce((s, r) => s + r.events, 0)
    const halfRate = Math.max(1, fullCommands / fullSeconds / 2)
    const last = phases.at(-1) as string
    const half = await playPhase(driver, last, options.seed, halfRate)
    records.push(half)
    say(`${options.database}: ${last} done at ${halfRate.toFixed(0)} commands/s (half load)`)
    // The last phase's close writes the summary and closes the campaign.
    const end = Date.parse(bench.campaign.phases.at(-1)?.closesAt as string) + 3_600_000
    const moved = performance.now()
    await moveClock(driver, end)
    await waitIdle(driver, end, moved)
    const closeSeconds = (performance.now() - moved) / 1000
    const status = await bench.store.db
      .selectFrom("campaigns")
      .select("status")
      .where("id", "=", campaignKey)
      .executeTakeFirstOrThrow()
    if (status.status !== "closed") throw new Error(`the campaign did not close (${status.status})`)
    const endToEndSeconds = (performance.now() - started) / 1000
    const events = await journalLength(driver)
    const rssWorkers = await workers.stop()
    say(`${options.database}: campaign closed; timing the summary and the audit`)

    const summaryStarted = performance.now()
    const summary = await bench.runtime.runPromise(
      summaryFor(campaignKey, bench.principals.lead, { format: "md", level: bench.campaign.coordinator }),
    )
    const summarySeconds = (performance.now() - summaryStarted) / 1000
    const auditStarted = performance.now()
    const verdict = await bench.runtime.runPromise(verifyCampaign(campaignKey, bench.principals.lead))
    const auditSeconds = (performance.now() - auditStarted) / 1000

    const sweeps = records.flatMap((r) => r.sweeps)
    const deadlineSweeps = sweeps.filter((s) => s.what === "deadline")
    const slowest = deadlineSweeps.reduce((a, b) => (b.seconds > a.seconds ? b : a), { seconds: 0, items: 0 })
    return {
      database: options.database,
      units: options.units,
      workers: options.database === "postgres" ? options.workers : 1,
      concurrency: options.concurrency,
      deploySeconds: round1(bench.deploySeconds),
      events,
      commands: records.reduce((s, r) => s + r.commands, 0),
      failures: records.reduce((s, r) => s + r.failures, 0),
      failureSamples: driver.failureSamples,
      endToEndSeconds: round1(endToEndSeconds),
      eventsPerSecond: Math.round(fullEvents / fullSeconds),
      cpuMsPerEvent: perEvent(fullCpuMs?.totalMs, fullEvents),
      postgresCpuMsPerEvent: options.database === "postgres" ? perEvent(fullCpuMs?.postgresMs, fullEvents) : undefined,
      fullLoad: {
        commandLatency: summarize(records.filter((r) => !r.paced).flatMap((r) => r.latencies.all)),
        reaction: summarize(await reactions(driver, new Set(full))),
        commandsPerSecond: Math.round(fullCommands / fullSeconds),
      },
      halfLoad: {
        commandLatency: summarize(half.latencies.all),
        commandLatencyByKind: {
          ack: summarize(half.latencies.byKind.ack),
          report: summarize(half.latencies.byKind.report),
          return: summarize(half.latencies.byKind.return),
          approve: summarize(half.latencies.byKind.approve),
        },
        reaction: summarize(await reactions(driver, new Set([last]))),
        pacedCommandsPerSecond: Math.round(halfRate),
        commandsPerSecond: Math.round(half.commands / half.seconds),
        eventsPerSecond: Math.round(half.events / half.seconds),
      },
      phases: records.map((r) => ({
        phase: r.phase,
        seconds: round1(r.seconds),
        events: r.events,
        commands: r.commands,
        paced: r.paced,
      })),
      closeSeconds: round1(closeSeconds),
      sweeps: sweeps.map((s) => ({ ...s, seconds: Math.round(s.seconds * 100) / 100 })),
      deadlineSweep: { seconds: Math.round(slowest.seconds * 100) / 100, items: slowest.items },
      summarySeconds: Math.round(summarySeconds * 100) / 100,
      summaryBytes: typeof summary.content === "string" ? Buffer.byteLength(summary.content) : summary.content.length,
      auditVerify: {
        seconds: Math.round(auditSeconds * 100) / 100,
        rows: events,
        ok: verdict.ok,
      },
      rssMb: {
        driver: Math.round(peakRssKb() / 1024),
        workers: rssWorkers.map((kb) => Math.round(kb / 1024)),
      },
    }
  } finally {
    await bench.close()
  }
}
