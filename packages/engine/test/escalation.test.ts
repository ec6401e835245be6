import type { Database } from "@liandong/store"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import type { Kysely } from "kysely"
import { afterEach, beforeEach, expect, it } from "vitest"
import {
  acknowledge,
  addPrincipal,
  commonChange,
  Db,
  deploy,
  operator,
  startCampaign,
  submitReport,
  verifyCampaign,
} from "../src/index.ts"
import { principals, springWeek } from "./fixture.ts"
import { testEngine } from "./support.ts"

// The plan task escalates one day after its deadline (2026-04-17 18:00 Beijing time).
const escalating = {
  ...springWeek,
  phases: [
    { ...springWeek.phases[0], tasks: [{ ...springWeek.phases[0].tasks[0], escalate: "P1D" }] },
    springWeek.phases[1],
  ],
}

describeEachDatabase("escalating an overdue task to the unit above", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await engine.run(deploy(escalating, operator))
    for (const p of principals) await engine.run(addPrincipal(p, operator))
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
  })
  afterEach(() => engine.dispose())

  const rows = <T>(query: (db: Kysely<Database>) => Promise<T>) =>
    engine.run(Effect.flatMap(Effect.service(Db), (db) => Effect.promise(() => query(db.kysely))))
  const escalations = () =>
    rows((db) =>
      db
        .selectFrom("notifications")
        .select(["unit_key", "body"])
        .where("kind", "=", "escalated")
        .orderBy("unit_key")
        .execute(),
    )

  it("tells the unit above a day after the deadline, unless the unit reported; journaled and replayed", async () => {
    const clerk = await engine.actor("clerk-b")
    await engine.run(acknowledge("spring-week/county-b/plan", clerk))
    await engine.run(submitReport("spring-week/county-b/plan", { narrative: { narrative: "已制定" } }, clerk))
    // county-a is granted a day more: its escalation moves with its deadline.
    await engine.run(
      commonChange(
        "spring-week",
        { kind: "extend", task: "plan", units: ["county-a"], deadline: "2026-04-18T18:00" },
        "甲县申请延期一天",
        await engine.actor("lead"),
      ),
    )
    await engine.advance("2026-04-18T19:00:00+08:00")
    // town-a1 (under county-a) is escalated to county-a; county-b reported; county-a's is not due yet.
    expect((await escalations()).map((n) => [n.unit_key, (n.body as { about: string }).about])).toEqual([
      ["county-a", "town-a1"],
    ])
    await engine.advance("2026-04-19T19:00:00+08:00")
    expect((await escalations()).map((n) => [n.unit_key, (n.body as { about: string }).about])).toEqual([
      ["city", "county-a"],
      ["county-a", "town-a1"],
    ])
    const journaled = await rows((db) =>
      db.selectFrom("journal").select(["unit_key"]).where("event", "=", "task.escalate").orderBy("unit_key").execute(),
    )
    expect(journaled.map((r) => r.unit_key)).toEqual(["county-a", "town-a1"])
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })
})
