/** The targets the benchmark is judged by, and whether a run met each — or by how much it missed. */
import type { BenchResult } from "./Bench.ts"
import { cliVerdicts } from "./CliTimes.ts"

/** One target's verdict. */
export interface Verdict {
  readonly target: string
  readonly goal: string
  readonly actual: string
  /** met, missed, or not judged at this size */
  readonly status: "met" | "missed" | "not judged"
  readonly note: string
}

const atMost = (target: string, goal: number, actual: number, unit: string): Verdict => ({
  target,
  goal: `< ${goal} ${unit}`,
  actual: `${actual} ${unit}`,
  status: actual < goal ? "met" : "missed",
  note: actual < goal ? "" : `over by ${(actual - goal).toFixed(1)} ${unit} (${(actual / goal).toFixed(1)}×)`,
})

/** Judges a result against the targets. */
export const judge = (result: BenchResult): Verdict[] => {
  const pg = result.postgres
  const out: Verdict[] = []
  if (result.peer !== undefined) {
    const ratio = pg.eventsPerSecond / result.peer.eventsPerSecond
    out.push({
      target: "Liandong ÷ peer events/s",
      goal: "≥ 3×",
      actual: `${ratio.toFixed(2)}×`,
      status: ratio >= 3 ? "met" : "missed",
      note:
        ratio >= 3
          ? ""
          : `short by ${(3 / ratio).toFixed(1)}× (needs ${Math.round(3 * result.peer.eventsPerSecond)} events/s)`,
    })
  }
  out.push(atMost("command→commit p99, half load", 20, pg.halfLoad.commandLatency.p99, "ms"))
  out.push(atMost("event→reaction p99, half load", 50, pg.halfLoad.reaction.p99, "ms"))
  const rss = Math.max(pg.rssMb.driver, ...pg.rssMb.workers)
  out.push(atMost("peak RSS of every process", 300, rss, "MB"))
  out.push(atMost("national summary", 2, pg.summarySeconds, "s"))
  const national = pg.units >= 50_000
  out.push({
    target: "50,000 units end to end",
    goal: "< 900 s",
    actual: `${pg.endToEndSeconds} s for ${pg.units} units, ${pg.events} events`,
    status: national ? (pg.endToEndSeconds < 900 ? "met" : "missed") : "not judged",
    note: national
      ? pg.endToEndSeconds < 900
        ? ""
        : `over by ${Math.round(pg.endToEndSeconds - 900)} s (${(pg.endToEndSeconds / 900).toFixed(1)}×)`
      : "run with --units 50000 to judge",
  })
  out.push(...cliVerdicts(result.cli))
  return out
}
