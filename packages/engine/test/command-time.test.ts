/**
 * A command's event takes its machine's time when that is later than the command's own (a
 * machine's time never goes back), and whatever fell due on the machine by that time is
 * applied first: a report stamped after its deadline is late, however the machine got there.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { afterEach, beforeEach, expect, it } from "vitest"
import { acknowledge, startCampaign, submitReport } from "../src/index.ts"
import { deployFixture, testEngine } from "./support.ts"

describeEachDatabase("a command behind its machine's time", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
  })
  afterEach(() => engine.dispose())

  it("applies what fell due by the time its event takes, so a report stamped after the deadline is late", async () => {
    const clerk = await engine.actor("clerk-a")
    await engine.run(acknowledge("spring-week/county-a/plan", clerk))
    // The unit's machine has moved past its plan deadline (2026-04-17 18:00) by a later event,
    // while the deadline's timer is still pending: no worker has reached it.
    const { db } = ctx.store()
    await db
      .updateTable("machines")
      .set({ updated_at: new Date("2026-04-18T02:00:00Z") })
      .where("unit_key", "=", "county-a")
      .execute()
    await engine.setClock("2026-04-14T09:00:00+08:00")
    await engine.run(submitReport("spring-week/county-a/plan", { narrative: { narrative: "方案" } }, clerk))
    const submitted = await db
      .selectFrom("journal")
      .select("occurred_at")
      .where("event", "=", "task.submit")
      .where("unit_key", "=", "county-a")
      .executeTakeFirstOrThrow()
    expect(new Date(submitted.occurred_at).toISOString()).toBe("2026-04-18T02:00:00.000Z")
    const task = await db
      .selectFrom("tasks")
      .select(["overdue", "status"])
      .where("unit_key", "=", "county-a")
      .where("task_key", "=", "plan")
      .executeTakeFirstOrThrow()
    expect(task).toEqual({ overdue: true, status: "submitted" })
  })
})
