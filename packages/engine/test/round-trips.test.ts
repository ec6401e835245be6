/**
 * How many statements a command sends: each is a round trip to the database, and on a busy
 * machine the round trips are most of a command's CPU (docs/performance.md). Counted at the
 * pg client, which both databases go through.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import pg from "pg"
import { afterEach, beforeEach, expect, it } from "vitest"
import { acknowledge, operator, startCampaign, submitReport, verifyCampaign } from "../src/index.ts"
import { deployFixture, testEngine } from "./support.ts"

const body = { narrative: { narrative: "已制定方案", difficulties: "资金紧缺" } }

/** The statements sent while `run` runs, by their first words. */
const counted = async <A>(run: () => Promise<A>) => {
  const statements: string[] = []
  const original = pg.Client.prototype.query
  pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
    const first = args[0]
    const text = typeof first === "string" ? first : (first?.text ?? "")
    statements.push(String(text).replace(/\s+/g, " ").trim().slice(0, 60))
    return (original as any).apply(this, args)
  } as typeof original
  try {
    const value = await run()
    return { value, statements }
  } finally {
    pg.Client.prototype.query = original
  }
}

describeEachDatabase("round trips a command", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
  })
  afterEach(async () => {
    await engine.dispose()
  })

  it("a lone command with an idempotency key makes a bounded number of round trips", async () => {
    const clerk = await engine.actor("clerk-a")
    // Once first, so what is loaded once a process (the definition) is loaded.
    await engine.run(acknowledge("spring-week/county-b/plan", await engine.actor("clerk-b")))
    const ack = await counted(() =>
      engine.run(acknowledge("spring-week/county-a/plan", clerk, { idempotencyKey: "k1" })),
    )
    const report = await counted(() =>
      engine.run(submitReport("spring-week/county-a/plan", body, clerk, { idempotencyKey: "k2" })),
    )
    console.log(`[round trips] acknowledge ${ack.statements.length}: ${ack.statements.join(" | ")}`)
    console.log(`[round trips] report ${report.statements.length}: ${report.statements.join(" | ")}`)
    // The campaign's row; begin; the machine locked, its due items and the key claimed; the step;
    // the journal; the key's answer; commit. A report adds its own rows.
    expect(ack.statements.length).toBeLessThanOrEqual(7)
    expect(report.statements.length).toBeLessThanOrEqual(10)
    const replay = await counted(() =>
      engine.run(acknowledge("spring-week/county-a/plan", clerk, { idempotencyKey: "k1" })),
    )
    expect(replay.value).toEqual({ ...ack.value, replayed: true })
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })
})
