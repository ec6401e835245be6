import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import { afterEach, beforeEach, expect, it } from "vitest"
import { type Actor, Clock, operator, pageTasks, startCampaign, type TaskFilter, verifyCampaign } from "../src/index.ts"
import { workerLook } from "../src/sql/Notices.ts"
import { workerPass } from "../src/worker/Worker.ts"
import { deployFixture, testEngine } from "./support.ts"

/** The tasks an actor may read, the first page of up to 500. */
const tasksOf = (actor: Actor, filter: TaskFilter = {}) =>
  Effect.map(pageTasks(actor, filter, { limit: 500 }), (page) => page.items)

describeEachDatabase("a poison message", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(() => {
    engine = testEngine(ctx.store())
  })
  afterEach(() => engine.dispose())

  it("is retried with backoff, then parked as dead with its reason, while the rest keeps flowing", async () => {
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    const { db } = ctx.store()
    const machine = await db
      .selectFrom("machines")
      .select("id")
      .where("unit_key", "=", "county-a")
      .executeTakeFirstOrThrow()
    await db
      .insertInto("messages")
      .values({
        campaign_id: "spring-week",
        machine_id: machine.id,
        kind: "event",
        dedupe_key: "poison",
        // no `at`: the event cannot be stamped, so applying it fails every time
        event: JSON.stringify({ type: "task.remind", task: "plan" }),
        status: "pending",
        available_at: new Date("2026-04-13T01:00:00Z"),
      })
      .execute()
    const first = await engine.advance("2026-04-13T09:00:00+08:00")
    expect(first.failed).toBe(1)
    expect(first.applied).toBeGreaterThan(0)
    const tasks = await engine.run(tasksOf(await engine.actor("lead"), { campaign: "spring-week" }))
    expect(tasks.filter((t) => t.phase === "preparation").every((t) => t.status === "assigned")).toBe(true)
    let poison = await db
      .selectFrom("messages")
      .selectAll()
      .where("dedupe_key", "=", "poison")
      .executeTakeFirstOrThrow()
    expect(poison).toMatchObject({ status: "pending", attempts: 1 })
    expect(poison.available_at.getTime()).toBeGreaterThan(new Date("2026-04-13T01:00:00Z").getTime())
    expect(poison.last_error).toBeTruthy()
    for (let day = 14; day <= 18; day++) await engine.advance(`2026-04-${day}T09:00:00+08:00`)
    poison = await db.selectFrom("messages").selectAll().where("dedupe_key", "=", "poison").executeTakeFirstOrThrow()
    expect(poison).toMatchObject({ status: "dead", attempts: 5 })
    // Parked on the record: one journal row names the item, what it carried and why it was given up.
    const parked = await db.selectFrom("journal").selectAll().where("cause", "=", `message:${poison.id}`).execute()
    expect(parked).toHaveLength(1)
    expect(parked[0]).toMatchObject({ event: "queue.dead", actor: "system", unit_key: "county-a" })
    expect(parked[0]?.payload).toMatchObject({
      item: "message",
      id: poison.id,
      event: "task.remind",
      attempts: 5,
      reason: "event task.remind has no valid time: undefined",
    })
    // The dead-letter row is evidence, not a machine event: the campaign still verifies.
    const verdict = await engine.run(verifyCampaign("spring-week", operator))
    expect(verdict.findings).toEqual([])
  })

  it("to no machine is seen by a worker's look and parked on the record when nothing else is due", async () => {
    // Deployed, not started: no timer nor message of the campaign is due but this one.
    await deployFixture(engine)
    const { db } = ctx.store()
    const sent = new Date("2026-04-12T01:00:00Z")
    const { id } = await db
      .insertInto("messages")
      .values({
        campaign_id: "spring-week",
        machine_id: null,
        kind: "event",
        dedupe_key: "to-nobody",
        event: JSON.stringify({ type: "task.remind", task: "plan", at: sent.toISOString() }),
        status: "pending",
        available_at: sent,
      })
      .returning("id")
      .executeTakeFirstOrThrow()
    const row = () => db.selectFrom("messages").selectAll().where("id", "=", id).executeTakeFirstOrThrow()
    // A worker's pass as a running worker makes it: a look, and claims only when the look saw work.
    const pass = (at: Date) =>
      engine.run(
        Effect.gen(function* () {
          yield* (yield* Clock).set(at)
          return yield* workerPass(at)
        }),
      )
    for (let attempt = 1; attempt <= 5; attempt++) {
      const due = (await row()).available_at
      expect((await workerLook(db, due)).message_due, `look before attempt ${attempt}`).toBe(true)
      const { tally } = await pass(due)
      expect(tally.failed, `attempt ${attempt}`).toBe(1)
      expect(await row()).toMatchObject({ attempts: attempt, status: attempt < 5 ? "pending" : "dead" })
    }
    // Parked: nothing is due any more, and the journal's row sits on the campaign's machine.
    expect((await workerLook(db, new Date("2026-04-13T00:00:00Z"))).message_due).toBe(false)
    const parked = await db.selectFrom("journal").selectAll().where("cause", "=", `message:${id}`).execute()
    expect(parked).toHaveLength(1)
    expect(parked[0]).toMatchObject({ event: "queue.dead", unit_key: null })
    expect(parked[0]?.payload).toMatchObject({ attempts: 5, reason: `message ${id} has no machine` })
  })
})
