/**
 * The dashboard's counts: per phase, how many units and tasks are unacknowledged,
 * acknowledged but not reported, waiting for review, returned, overdue and approved;
 * the cells' words and overdue days by the campaign's calendar; and the laggards.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  acknowledge,
  approve,
  daysOverdue,
  pageReports,
  returnReport,
  startCampaign,
  statusTable,
  submitReport,
  trail,
} from "../src/index.ts"
import { deployFixture, testEngine } from "./support.ts"

describe("days overdue", () => {
  it("counts calendar days in the campaign's zone, the first day late as one", () => {
    const zone = "Asia/Shanghai"
    expect(daysOverdue(new Date("2026-04-17T18:00+08:00"), new Date("2026-04-17T20:00+08:00"), zone)).toBe(1)
    expect(daysOverdue(new Date("2026-04-17T18:00+08:00"), new Date("2026-04-18T09:00+08:00"), zone)).toBe(1)
    expect(daysOverdue(new Date("2026-04-17T18:00+08:00"), new Date("2026-04-20T09:00+08:00"), zone)).toBe(3)
    // A whole-day deadline (the next midnight) belongs to the day it closes.
    expect(daysOverdue(new Date("2026-04-18T00:00+08:00"), new Date("2026-04-18T00:30+08:00"), zone)).toBe(1)
    expect(daysOverdue(new Date("2026-04-18T00:00+08:00"), new Date("2026-04-19T08:00+08:00"), zone)).toBe(2)
    // 01:00 on the 19th in Shanghai is still the 18th in UTC.
    expect(daysOverdue(new Date("2026-04-17T18:00+08:00"), new Date("2026-04-18T17:00Z"), zone)).toBe(2)
    expect(daysOverdue(new Date("2026-04-17T18:00+08:00"), new Date("2026-04-18T17:00Z"), "UTC")).toBe(1)
  })
})

describeEachDatabase("status counts", (ctx) => {
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

  const cellOf = (status: { rows: ReadonlyArray<{ unit: string; phases: Record<string, unknown> }> }, unit: string) =>
    status.rows.find((row) => row.unit === unit)?.phases.preparation as
      | { stage: string; counts: Record<string, number>; overdueDays: number | null; laggard: boolean }
      | undefined

  it("counts each state once per unit and task, words the cells, and finds the laggards", async () => {
    const lead = await engine.actor("lead")
    const clerkA = await engine.actor("clerk-a")
    const clerkB = await engine.actor("clerk-b")
    await engine.run(acknowledge("spring-week/county-a/plan", clerkA))
    await engine.run(acknowledge("spring-week/county-b/plan", clerkB))
    const sent = await engine.run(
      submitReport("spring-week/county-b/plan", { narrative: { narrative: "方案" } }, clerkB),
    )

    let status = await engine.run(statusTable("spring-week", lead))
    const zero = { units: 0, tasks: 0 }
    const one = { units: 1, tasks: 1 }
    expect(status.tallies.preparation).toEqual({
      assigned: one,
      acknowledged: one,
      submitted: one,
      returned: zero,
      overdue: zero,
      approved: zero,
      laggards: 0,
    })
    expect(status.tallies.publicity?.assigned).toEqual(zero)
    expect(cellOf(status, "town-a1")?.stage).toBe("assigned")
    expect(cellOf(status, "county-a")?.stage).toBe("acknowledged")
    expect(cellOf(status, "county-b")?.stage).toBe("submitted")
    expect(status.rows.find((row) => row.unit === "county-b")?.phases.publicity?.stage).toBe("waiting")
    expect(status.timeZone).toBe("Asia/Shanghai")

    // Within 24 hours of the deadline, the units not yet reported lag; the one waiting for review does not.
    await engine.setClock("2026-04-16T20:00:00+08:00")
    await engine.run(returnReport(sent.report, "请补充", lead))
    status = await engine.run(statusTable("spring-week", lead))
    expect(status.tallies.preparation?.returned).toEqual(one)
    expect(status.tallies.preparation?.submitted).toEqual(zero)
    expect(status.tallies.preparation?.laggards).toBe(3)
    expect(cellOf(status, "county-b")?.stage).toBe("returned")
    expect(status.rows.filter((row) => row.laggard).map((row) => row.unit)).toEqual(["county-a", "county-b", "town-a1"])

    // Past the deadline: overdue, in days by the campaign's calendar, until approved.
    const again = await engine.run(
      submitReport("spring-week/county-b/plan", { narrative: { narrative: "方案（补充）" } }, clerkB),
    )
    await engine.advance("2026-04-18T20:00:00+08:00")
    status = await engine.run(statusTable("spring-week", lead))
    // The resubmission came before the deadline: county B waits for review, on time.
    expect(status.tallies.preparation?.overdue).toEqual({ units: 2, tasks: 2 })
    expect(cellOf(status, "town-a1")).toMatchObject({ stage: "overdue", overdueDays: 1, laggard: true })
    expect(cellOf(status, "county-b")).toMatchObject({ stage: "submitted", overdueDays: null, laggard: false })
    await engine.run(approve(again.report, lead))
    await engine.setClock("2026-04-19T08:00:00+08:00")
    status = await engine.run(statusTable("spring-week", lead))
    expect(status.tallies.preparation?.overdue).toEqual({ units: 2, tasks: 2 })
    expect(status.tallies.preparation?.approved).toEqual(one)
    expect(cellOf(status, "county-b")).toMatchObject({ stage: "done", overdueDays: null, laggard: false })
    expect(cellOf(status, "county-a")).toMatchObject({ stage: "overdue", overdueDays: 2 })

    // A unit counts only what it may read: itself and its subordinates.
    const mine = await engine.run(statusTable("spring-week", clerkA))
    expect(mine.rows.map((row) => row.unit)).toEqual(["county-a", "town-a1"])
    expect(mine.tallies.preparation?.overdue).toEqual({ units: 2, tasks: 2 })
    expect(mine.tallies.preparation?.approved).toEqual(zero)
  })

  it("names the people who reported, reviewed and acted, from the directory", async () => {
    const lead = await engine.actor("lead")
    const clerkB = await engine.actor("clerk-b")
    await engine.run(acknowledge("spring-week/county-b/plan", clerkB))
    const sent = await engine.run(
      submitReport("spring-week/county-b/plan", { narrative: { narrative: "方案" } }, clerkB),
    )
    await engine.run(returnReport(sent.report, "请补充", lead))
    const page = await engine.run(pageReports(lead, { campaign: "spring-week" }, { limit: 10 }))
    expect(page.items[0]).toMatchObject({
      submittedBy: "clerk-b",
      submittedByName: "乙县联络员",
      reviewedBy: "lead",
      reviewedByName: "王局长",
    })
    const entries = await engine.run(trail("spring-week", lead, { unit: "county-b" }))
    expect(new Set(entries.map((e) => `${e.actor}=${e.actorName}`))).toEqual(
      new Set(["system=null", "clerk-b=乙县联络员", "lead=王局长"]),
    )
  })
})
