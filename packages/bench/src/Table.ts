/** The benchmark's figures as a plain-text table. */
import type { BenchResult } from "./Bench.ts"
import { cliTable } from "./CliTimes.ts"
import type { RunFigures } from "./Run.ts"
import type { Latency } from "./Stats.ts"
import { judge } from "./Targets.ts"

const rows = (title: string, lines: ReadonlyArray<readonly [string, string]>) => {
  const width = Math.max(...lines.map(([k]) => k.length))
  return [title, ...lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join("\n")
}

const cpu = (ms: number | undefined, postgresMs: number | undefined) =>
  ms === undefined
    ? "not measured (no /proc)"
    : postgresMs === undefined
      ? `${ms} ms (one process: Node and the embedded database)`
      : `${ms} ms (Node ${Math.round((ms - postgresMs) * 100) / 100} · PostgreSQL ${postgresMs})`

const lat = (l: Latency) => `p50 ${l.p50} ms · p99 ${l.p99} ms (${l.count} samples)`

const run = (title: string, r: RunFigures) =>
  rows(title, [
    ["units · workers · concurrency", `${r.units} · ${r.workers} · ${r.concurrency}`],
    ["deploy", `${r.deploySeconds} s`],
    ["durable events (journal rows)", `${r.events} (${r.commands} commands, ${r.failures} failed)`],
    ["end to end", `${r.endToEndSeconds} s`],
    [
      "phases, then the close",
      `${r.phases.map((p) => `${p.phase} ${p.seconds} s${p.paced ? " (half load)" : ""}`).join(" · ")} · close ${r.closeSeconds} s`,
    ],
    ["events/s, full load", `${r.eventsPerSecond} (${r.fullLoad.commandsPerSecond} commands/s)`],
    ["CPU an event, full load", cpu(r.cpuMsPerEvent, r.postgresCpuMsPerEvent)],
    ["command→commit, full load", lat(r.fullLoad.commandLatency)],
    ["event→reaction, full load", lat(r.fullLoad.reaction)],
    [
      "load for latency (half)",
      `${r.halfLoad.pacedCommandsPerSecond} commands/s paced; over the phase, its sweeps included, ${r.halfLoad.commandsPerSecond} commands/s, ${r.halfLoad.eventsPerSecond} events/s`,
    ],
    ["command→commit, half load", lat(r.halfLoad.commandLatency)],
    [
      "  by kind, p50 · p99 (ms)",
      (["ack", "report", "return", "approve"] as const)
        .map(
          (kind) =>
            `${kind} ${r.halfLoad.commandLatencyByKind[kind].p50} · ${r.halfLoad.commandLatencyByKind[kind].p99}`,
        )
        .join(" | "),
    ],
    ["event→reaction, half load", lat(r.halfLoad.reaction)],
    ["deadline sweep (slowest)", `${r.deadlineSweep.seconds} s for ${r.deadlineSweep.items} units`],
    ["national summary (md)", `${r.summarySeconds} s (${Math.round(r.summaryBytes / 1024)} kB)`],
    [
      "audit chain verified online",
      `${r.auditVerify.seconds} s for ${r.auditVerify.rows} rows (${r.auditVerify.ok ? "ok" : "FAILED"})`,
    ],
    [
      "peak RSS",
      `driver ${r.rssMb.driver} MB${r.rssMb.workers.length > 0 ? ` · workers ${r.rssMb.workers.join(", ")} MB` : ""}`,
    ],
  ])

/** The whole result as text. */
export const table = (result: BenchResult): string => {
  const m = result.machine
  const parts = [
    `${m.cpus} cores · Node ${m.node} · PostgreSQL ${m.postgres ?? "?"} · commit ${m.commit ?? "?"} · load average ${m.loadAverage[0]} → ${m.loadAverage[1]}`,
    ...(m.programs === undefined
      ? []
      : [
          `programs from ${m.programs.from}${m.programs.nodeFlags.length > 0 ? `, node ${m.programs.nodeFlags.join(" ")}` : ""}`,
        ]),
    run("Liandong on PostgreSQL", result.postgres),
  ]
  if (result.pglite) parts.push(run("Liandong on embedded PGlite (one process)", result.pglite))
  if (result.peer) {
    const p = result.peer
    parts.push(
      rows("Peer: graphile-worker, same PostgreSQL server", [
        ["jobs (one per unit event)", `${p.jobs} in ${p.seconds} s, ${p.audited} audited`],
        ["events/s", String(p.eventsPerSecond)],
        ["CPU a job", cpu(p.cpuMsPerEvent, p.postgresCpuMsPerEvent)],
        ["job added→done", `p50 ${p.reaction.p50} ms · p99 ${p.reaction.p99} ms`],
        ["peak RSS of workers", `${p.rssMb.join(", ")} MB`],
        ["Liandong ÷ peer", `${(result.postgres.eventsPerSecond / p.eventsPerSecond).toFixed(2)}×`],
        [
          "Liandong ÷ peer, events a CPU-second",
          result.postgres.cpuMsPerEvent === undefined || p.cpuMsPerEvent === undefined
            ? "not measured"
            : `${(p.cpuMsPerEvent / result.postgres.cpuMsPerEvent).toFixed(2)}×`,
        ],
      ]),
    )
  }
  if (result.auditOffline) {
    const a = result.auditOffline
    parts.push(
      rows("Audit chain verified offline (an export, no database)", [
        ["rows", String(a.rows)],
        ["build + hash · export", `${a.buildSeconds} s · ${a.exportSeconds} s`],
        ["read + verify", `${a.verifySeconds} s (${a.rowsPerSecond} rows/s, ${a.ok ? "ok" : "FAILED"})`],
        ["peak RSS", `${a.rssMb} MB`],
      ]),
    )
  }
  if (result.cli) parts.push(cliTable(result.cli))
  const verdicts = judge(result)
  const w = Math.max(...verdicts.map((v) => v.target.length))
  parts.push(
    [
      "Targets",
      ...verdicts.map(
        (v) =>
          `  ${v.target.padEnd(w)}  ${v.goal.padEnd(9)} ${v.actual.padEnd(12)} ${v.status === "met" ? "met" : v.status === "missed" ? "MISSED" : "not judged"}${v.note ? ` — ${v.note}` : ""}`,
      ),
    ].join("\n"),
  )
  return parts.join("\n\n")
}
