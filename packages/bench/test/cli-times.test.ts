import { postgresAvailable } from "@liandong/store/testing"
import { describe, expect, it } from "vitest"
import { cliCommands, cliTable, cliVerdicts, runCliTimes } from "../src/CliTimes.ts"

// The CLI part of `pnpm bench` on both databases, two runs a command: every command succeeds and
// every figure is produced. Behaviour only: timings are for `pnpm bench`.
describe.skipIf(!(await postgresAvailable()))("[postgres] the CLI timings", () => {
  it("prepares a campaign through the CLI and times each command on both databases", async () => {
    const lines: string[] = []
    const figures = await runCliTimes({ runs: 2, pglite: true }, (line) => lines.push(line))
    for (const database of [figures.postgres, figures.pglite]) {
      if (database === undefined) throw new Error("a database was skipped")
      expect(database.map((f) => f.command)).toEqual([...cliCommands])
      for (const command of database) {
        expect(command.failed, figures.failureSamples.join("\n")).toBe(0)
        expect(command.runs).toBe(2)
        expect(command.p50).toBeGreaterThan(0)
        expect(command.p95).toBeGreaterThanOrEqual(command.p50)
        expect(command.rssMb.p50).toBeGreaterThan(0)
      }
    }
    expect(lines).toHaveLength(2)
    expect(cliTable(figures)).toContain("embedded PGlite")
    expect(cliVerdicts(figures).map((v) => v.target)).toEqual([
      "CLI command p50, PostgreSQL",
      "CLI command p50, embedded",
    ])
  }, 300_000)
})
