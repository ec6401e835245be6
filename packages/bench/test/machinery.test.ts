import { describe, expect, it } from "vitest"
import type { AuditOfflineFigures } from "../src/AuditOffline.ts"
import { inChild } from "../src/Bench.ts"

// The cheap part of the machinery `pnpm bench` stands on, kept in `pnpm test`: a part forked in
// a process of its own answers over IPC with its figures and progress. The whole run on a tiny
// nation (smoke.test.ts) and the CLI timings (cli-times.test.ts) take minutes: `pnpm test:bench`.
describe("a benchmark part in a child process", () => {
  it("verifies a short journal offline and sends its figures back", async () => {
    const lines: string[] = []
    const figures = await inChild<AuditOfflineFigures & { rssMb: number }>({ kind: "audit", rows: 300 }, (line) =>
      lines.push(line),
    )
    expect(figures).toMatchObject({ rows: 300, ok: true })
    expect(figures.rowsPerSecond).toBeGreaterThan(0)
    expect(figures.rssMb).toBeGreaterThan(0)
  }, 120_000)
})
