import { postgresAvailable } from "@liandong/store/testing"
import { describe, expect, it } from "vitest"
import { runBench } from "../src/Bench.ts"
import { table } from "../src/Table.ts"
import { judge } from "../src/Targets.ts"

// The machinery end to end on a tiny nation: every figure is produced, the peer does the
// same number of unit events, nothing fails. Behaviour only: timings are for `pnpm bench`.
describe.skipIf(!(await postgresAvailable()))("[postgres] the benchmark on a tiny nation", () => {
  it("measures everything, on both databases, beside a peer doing equal work", async () => {
    const result = await runBench(
      {
        units: 36,
        pgliteUnits: 32,
        seed: 1,
        workers: 2,
        concurrency: 4,
        stepHours: 6,
        peerMaxEvents: 1_000_000,
        auditRows: 500,
        peer: true,
        pglite: true,
      },
      () => undefined,
    )
    for (const run of [result.postgres, result.pglite]) {
      if (run === undefined) throw new Error("a database was skipped")
      expect(run.failures, run.failureSamples.join("\n")).toBe(0)
      // every unit went through four phases: acknowledged, reported (or not), reviewed, swept
      expect(run.events).toBeGreaterThan(run.units * 4 * 4)
      expect(run.auditVerify).toMatchObject({ ok: true, rows: run.events })
      expect(run.eventsPerSecond).toBeGreaterThan(0)
      for (const latency of [run.fullLoad.commandLatency, run.halfLoad.commandLatency, run.halfLoad.reaction])
        expect(latency.count).toBeGreaterThan(0)
      // Each kind's samples are the half-load phase's, split: acknowledgements, reports and approvals in any nation.
      const kinds = Object.values(run.halfLoad.commandLatencyByKind)
      expect(kinds.reduce((sum, latency) => sum + latency.count, 0)).toBe(run.halfLoad.commandLatency.count)
      for (const kind of ["ack", "report", "approve"] as const)
        expect(run.halfLoad.commandLatencyByKind[kind].count).toBeGreaterThan(0)
      expect(run.sweeps.filter((s) => s.what === "deadline")).toHaveLength(4)
      expect(run.phases.map((p) => p.paced)).toEqual([false, false, false, true])
      // Paced at half the flat-out rate; over the phase, with its sweeps, no faster than that.
      expect(
        Math.abs(run.halfLoad.pacedCommandsPerSecond - Math.max(1, run.fullLoad.commandsPerSecond / 2)),
      ).toBeLessThanOrEqual(1)
      expect(run.halfLoad.commandsPerSecond).toBeLessThanOrEqual(run.halfLoad.pacedCommandsPerSecond + 1)
      expect(run.phases.reduce((sum, p) => sum + p.commands, 0)).toBe(run.commands)
      expect(run.deadlineSweep.items).toBeGreaterThan(run.units / 2)
      expect(run.summaryBytes).toBeGreaterThan(0)
      expect(run.rssMb.driver).toBeGreaterThan(0)
    }
    expect(result.postgres.rssMb.workers).toHaveLength(2)
    expect(result.peer).toMatchObject({ jobs: result.postgres.events, audited: result.postgres.events })
    expect(result.auditOffline).toMatchObject({ rows: 500, ok: true })
    expect(judge(result).map((v) => v.status)).not.toContain(undefined)
    expect(table(result)).toContain("Liandong ÷ peer")
  }, 600_000)
})
