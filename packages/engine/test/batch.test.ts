import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import { sql } from "kysely"
import { afterEach, beforeEach, expect, it } from "vitest"
import { system } from "../src/Actor.ts"
import { operator, startCampaign, verifyCampaign } from "../src/index.ts"
import { appendJournal, flushJournal, journaled } from "../src/Journal.ts"
import { underSavepoint } from "../src/Savepoint.ts"
import { processBatch } from "../src/worker/Worker.ts"
import { deployFixture, playFixture, testEngine } from "./support.ts"

describeEachDatabase("group commit", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(() => {
    engine = testEngine(ctx.store())
  })
  afterEach(() => engine.dispose())

  const journal = () =>
    ctx
      .store()
      .db.selectFrom("journal")
      .select(["seq", "cause", "machine_id", "recorded_at"])
      .where("campaign_id", "=", "spring-week")
      .orderBy("seq")
      .execute()

  it("applies the next item of many machines in one transaction, their rows chained in one append", async () => {
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    // The phase opens on the campaign's machine, which then tells every unit's machine at once.
    const at = new Date("2026-04-13T01:00:00Z")
    await engine.run(processBatch(at, { claim: 32 }))
    const before = (await journal()).length
    const tally = await engine.run(processBatch(at, { claim: 32 }))
    expect(tally).not.toBe("busy")
    const applied = typeof tally === "object" ? tally.applied + tally.moot : 0
    expect(applied).toBeGreaterThan(1)
    const rows = (await journal()).slice(before)
    expect(rows).toHaveLength(applied)
    // One transaction: one recording time, every row of a different machine or its backlog.
    expect(new Set(rows.map((row) => new Date(row.recorded_at).getTime())).size).toBe(1)
    expect(rows.map((row) => row.seq)).toEqual(rows.map((_, i) => before + i + 1))
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  it("plays a whole campaign batched to a verified record, each machine's rows in time order", async () => {
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await playFixture(engine)
    await engine.advance("2026-06-30T09:00:00+08:00")
    const { db } = ctx.store()
    const status = await db.selectFrom("campaigns").select("status").executeTakeFirstOrThrow()
    expect(status.status).toBe("closed")
    const left = await db
      .selectFrom("timers")
      .select("id")
      .where("status", "=", "pending")
      .union(db.selectFrom("messages").select("id").where("status", "=", "pending"))
      .execute()
    expect(left).toEqual([])
    // Each machine's rows in order of the time they happened.
    const rows = await db
      .selectFrom("journal")
      .select(["machine_id", "occurred_at"])
      .where("campaign_id", "=", "spring-week")
      .orderBy("seq")
      .execute()
    const last = new Map<string, number>()
    for (const row of rows) {
      const at = new Date(row.occurred_at).getTime()
      expect(at).toBeGreaterThanOrEqual(last.get(row.machine_id) ?? 0)
      last.set(row.machine_id, at)
    }
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  it("forgets what a rolled-back savepoint queued or wrote, and keeps what came before it", async () => {
    await deployFixture(engine)
    const { db } = ctx.store()
    const campaign = await db
      .selectFrom("machines")
      .select("id")
      .where("kind", "=", "campaign")
      .executeTakeFirstOrThrow()
    const before = (await journal()).length
    const entry = (type: string) => ({
      campaignId: "spring-week",
      machineId: campaign.id,
      unit: null,
      actor: system,
      cause: "denied",
      idempotencyKey: null,
      event: { type: "access.denied", action: type },
      before: null,
      after: null,
      occurredAt: new Date("2026-04-12T01:00:00Z"),
    })
    await engine.run(
      journaled("test.savepoint", (tx) =>
        Effect.gen(function* () {
          yield* appendJournal(tx, entry("kept.one"))
          yield* appendJournal(tx, entry("kept.two"))
          // Inside the savepoint the queue is written (as a checkpoint would) and then undone.
          const attempt = yield* underSavepoint(
            tx,
            "trial",
            Effect.gen(function* () {
              yield* appendJournal(tx, entry("undone"))
              yield* flushJournal(tx)
              return yield* Effect.fail("no")
            }),
          )
          expect(attempt.ok).toBe(false)
          const written = yield* Effect.promise(() =>
            sql<{ n: string }>`select count(*) as n from journal`.execute(tx.db),
          )
          expect(Number(written.rows[0]?.n)).toBe(before)
          yield* appendJournal(tx, entry("kept.three"))
        }),
      ),
    )
    const events = await db.selectFrom("journal").select("payload").where("seq", ">", before).orderBy("seq").execute()
    expect(events.map((row) => (row.payload as { action: string }).action)).toEqual([
      "kept.one",
      "kept.two",
      "kept.three",
    ])
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })
})
