/**
 * Refused attempts: answered alike whether their target exists or not, and
 * recorded without flooding — the first of a (principal, action, target) in a
 * window in the campaign's chain, the rest counted, their count carried by the
 * next journaled one; a target with no chain recorded in `denials` alone. And
 * the engine's decoders refuse what the database cannot store, for the CLI.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { sql } from "kysely"
import { afterEach, beforeEach, expect, it } from "vitest"
import { journaledPerWindow } from "../src/audit/Denials.ts"
import { acknowledge, approve, operator, returnReport, startCampaign, submitReport, trail } from "../src/index.ts"
import { deployFixture, testEngine } from "./support.ts"

describeEachDatabase("refused attempts", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
  })
  afterEach(() => engine.dispose())

  const denied = async () =>
    (
      await sql<{ payload: any }>`select payload from journal where event = 'access.denied' order by seq`.execute(
        ctx.store().db,
      )
    ).rows.map((r) => r.payload)
  const windows = async () =>
    (
      await sql<any>`select principal, action, target, campaign_id, attempts, pending from denials order by target`.execute(
        ctx.store().db,
      )
    ).rows

  it("answer a missing target exactly as an existing one, and record both", async () => {
    const clerk = await engine.actor("clerk-a")
    const refs = ["spring-week/county-b/plan", "spring-week/county-b/no-such-task", "no-such-week/county-b/plan"]
    const errors = []
    for (const ref of refs) errors.push(await engine.failure(acknowledge(ref, clerk)))
    for (const [i, error] of errors.entries()) {
      expect(error).toMatchObject({ _tag: "NotFound", what: "task", ref: refs[i] })
      expect(Object.keys(error).sort()).toEqual(Object.keys(errors[0] as object).sort())
    }
    // Both targets in the campaign the clerk takes part in are journaled, the missing one too.
    expect((await denied()).map((p) => p.ref)).toEqual(refs.slice(0, 2))
    // The one with no campaign is recorded, naming principal, action and target.
    expect(await windows()).toContainEqual(
      expect.objectContaining({
        principal: "clerk-a",
        action: "acknowledge",
        target: refs[2],
        campaign_id: null,
        attempts: 1,
      }),
    )
    expect((await windows()).length).toBe(3)
  })

  it("answer a missing report exactly as another unit's, recording both", async () => {
    const clerk = await engine.actor("clerk-b")
    await engine.advance("2026-04-13T09:00:00+08:00")
    const own = await engine.actor("clerk-a")
    await engine.run(acknowledge("spring-week/county-a/plan", own))
    const report = await engine.run(
      submitReport("spring-week/county-a/plan", { narrative: { narrative: "方案" } }, own),
    )
    const existing = await engine.failure(returnReport(report.report, "不对", clerk))
    const missing = await engine.failure(returnReport("987654", "不对", clerk))
    expect(existing).toMatchObject({ _tag: "NotFound", what: "report", ref: report.report })
    expect(missing).toMatchObject({ _tag: "NotFound", what: "report", ref: "987654" })
    expect(Object.keys(missing).sort()).toEqual(Object.keys(existing).sort())
    expect((await denied()).map((p) => p.ref)).toEqual([report.report])
    expect(await windows()).toContainEqual(
      expect.objectContaining({ principal: "clerk-b", action: "return", target: "987654", campaign_id: null }),
    )
  })

  it("review by a task's reference: its latest report, refusals as by a report's id", async () => {
    await engine.advance("2026-04-13T09:00:00+08:00")
    const own = await engine.actor("clerk-a")
    const lead = await engine.actor("lead")
    const ref = "spring-week/county-a/plan"
    // No report yet: refused as a missing report, recorded outside any chain, nothing written.
    const before = await engine.failure(approve(ref, lead))
    expect(before).toMatchObject({ _tag: "NotFound", what: "report", ref })
    expect(await windows()).toContainEqual(
      expect.objectContaining({ principal: "lead", action: "approve", target: ref, campaign_id: null }),
    )
    await engine.run(acknowledge(ref, own))
    const first = await engine.run(submitReport(ref, { narrative: { narrative: "初稿" } }, own))
    // The unit itself may not review: refused and journaled as by the report's id.
    const byUnit = await engine.failure(approve(ref, own))
    expect(byUnit._tag).toBe("NotAllowed")
    expect((await denied()).map((p) => p.ref)).toEqual([ref])
    // Another unit's clerk: answered as a missing report.
    const other = await engine.failure(approve(ref, await engine.actor("clerk-b")))
    expect(other).toMatchObject({ _tag: "NotFound", what: "report", ref })
    await engine.run(returnReport(ref, "请补充", lead))
    const second = await engine.run(submitReport(ref, { narrative: { narrative: "修改稿" } }, own))
    // The latest attempt is the one reviewed.
    expect(await engine.run(approve(ref, lead))).toMatchObject({ report: second.report, status: "approved" })
    expect(second.report).not.toBe(first.report)
    const again = await engine.failure(returnReport(ref, "不对", lead))
    expect(again).toMatchObject({ _tag: "InvalidTransition", state: "approved" })
  })

  it("journal the first refusal of a window and count the rest, carried by the next journaled one", async () => {
    const clerk = await engine.actor("clerk-a")
    const ref = "spring-week/county-b/plan"
    for (let i = 0; i < 120; i++) await engine.failure(acknowledge(ref, clerk))
    expect((await denied()).length).toBe(1)
    expect(await windows()).toEqual([
      expect.objectContaining({ target: ref, campaign_id: "spring-week", attempts: 120, pending: 119 }),
    ])
    // The window passes: the next refusal is journaled and says how many came in between.
    await sql`update denials set window_start = window_start - interval '1 hour'`.execute(ctx.store().db)
    await engine.failure(acknowledge(ref, clerk))
    const rows = await denied()
    expect(rows.length).toBe(2)
    expect(rows[1]).toMatchObject({ type: "access.denied", action: "acknowledge", ref, repeated: 119 })
    expect(rows[0].repeated).toBeUndefined()
    const entries = await engine.run(trail("spring-week", await engine.actor("lead")))
    const last = entries.filter((e) => e.event === "access.denied").at(-1)
    expect(last?.note.refusal).toMatchObject({ action: "acknowledge", ref, repeated: 119 })
  })

  it("journal at most a budget of targets per principal, campaign and window; the rest are counted", async () => {
    const clerk = await engine.actor("clerk-a")
    for (let i = 0; i < journaledPerWindow + 10; i++)
      await engine.failure(acknowledge(`spring-week/county-b/invented-${i}`, clerk))
    expect((await denied()).length).toBe(journaledPerWindow)
    expect((await windows()).length).toBe(journaledPerWindow + 10)
  })

  it("refuse text the database cannot store, and impossible times, naming the field", async () => {
    const clerk = await engine.actor("clerk-a")
    await engine.advance("2026-04-13T09:00:00+08:00")
    await engine.run(acknowledge("spring-week/county-a/plan", clerk))
    const nul = await engine.failure(
      submitReport("spring-week/county-a/plan", { narrative: { narrative: "方案\u0000" } }, clerk),
    )
    expect(nul).toMatchObject({
      _tag: "InvalidInput",
      problems: [expect.objectContaining({ path: "narrative.narrative" })],
    })
    const surrogate = await engine.failure(returnReport("1", "理由\ud800", await engine.actor("lead")))
    expect(surrogate).toMatchObject({ _tag: "InvalidInput" })
    const impossible = await engine.failure(trail("spring-week", operator, { since: new Date("2026-13-45T99:99Z") }))
    expect(impossible).toMatchObject({ _tag: "InvalidInput", problems: [expect.objectContaining({ path: "since" })] })
  })
})
