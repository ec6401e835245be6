import { describeEachDatabase } from "@liandong/store/testing"
import { sql } from "kysely"
import { afterEach, beforeEach, expect, it } from "vitest"
import {
  acknowledge,
  approve,
  closePhase,
  operator,
  startCampaign,
  submitReport,
  verifyCampaign,
} from "../src/index.ts"
import { deployFixture, testEngine } from "./support.ts"

describeEachDatabase("a phase's close", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(() => {
    engine = testEngine(ctx.store())
  })
  afterEach(() => engine.dispose())

  const closes = () =>
    ctx
      .store()
      .db.selectFrom("messages")
      .innerJoin("machines", "machines.id", "messages.machine_id")
      .select(["machines.unit_key", "messages.status"])
      .where(sql<boolean>`messages.event->>'type' = 'phase.close'`)
      .orderBy("machines.unit_key")
      .execute()

  const regions = () =>
    ctx
      .store()
      .db.selectFrom("machines")
      .select(["unit_key", sql<string>`snapshot->'value'->>'preparation'`.as("preparation")])
      .where("kind", "=", "unit")
      .orderBy("unit_key")
      .execute()

  it("reaches only the units that had not finished the phase; the record replays as before", async () => {
    await deployFixture(engine)
    const lead = await engine.actor("lead")
    await engine.run(startCampaign("spring-week", lead))
    await engine.advance("2026-04-13T09:00:00+08:00")
    const clerk = await engine.actor("clerk-a")
    await engine.run(acknowledge("spring-week/county-a/plan", clerk))
    const body = { narrative: { narrative: "已制定方案" } }
    const report = await engine.run(submitReport("spring-week/county-a/plan", body, clerk))
    await engine.run(approve(report.report, lead))
    await engine.advance("2026-04-14T09:00:00+08:00")
    await engine.run(closePhase("spring-week", "preparation", lead))
    await engine.advance("2026-04-14T10:00:00+08:00")
    // County A told the campaign it finished: its close would have been moot there, so none was sent.
    expect(await closes()).toEqual([
      { unit_key: "county-b", status: "done" },
      { unit_key: "town-a1", status: "done" },
    ])
    expect(await regions()).toEqual([
      { unit_key: "county-a", preparation: "done" },
      { unit_key: "county-b", preparation: "closed" },
      { unit_key: "town-a1", preparation: "closed" },
    ])
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })
})
