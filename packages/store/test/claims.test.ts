import type { Kysely, Transaction } from "kysely"
import { expect, it } from "vitest"
import type { Database } from "../src/index.ts"
import { describeEachDatabase } from "../src/Testing.ts"
import { pause, seedCampaign } from "./rows.ts"

/** The worker's claim: the earliest pending timer nobody else holds. */
const claimTimer = (tx: Transaction<Database>) =>
  tx
    .selectFrom("timers")
    .select(["id", "key"])
    .where("status", "=", "pending")
    .orderBy("due_at")
    .orderBy("id")
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst()

const scheduleTimers = async (db: Kysely<Database>, count: number) => {
  const { machineId } = await seedCampaign(db)
  await db
    .insertInto("timers")
    .values(
      Array.from({ length: count }, (_, i) => ({
        campaign_id: "c",
        machine_id: machineId,
        key: `t${i + 1}`,
        due_at: new Date(Date.UTC(2026, 0, 1, 0, i)),
        event: "{}",
        status: "pending" as const,
      })),
    )
    .execute()
}

describeEachDatabase("claims with FOR UPDATE SKIP LOCKED", (ctx) => {
  it("two open transactions claim different rows; a rolled-back claim is claimable again", async () => {
    const store = ctx.store()
    await scheduleTimers(store.db, 2)
    if (store.kind === "pglite") {
      // One session: the second transaction starts after the first ends.
      const first = await store.db.transaction().execute(claimTimer)
      expect(first?.key).toBe("t1")
      return
    }
    const first = await store.db.startTransaction().execute()
    const second = await store.db.startTransaction().execute()
    const third = await store.db.startTransaction().execute()
    try {
      expect((await claimTimer(first))?.key).toBe("t1")
      expect((await claimTimer(second))?.key).toBe("t2")
      expect(await claimTimer(third)).toBeUndefined()
    } finally {
      for (const tx of [first, second, third]) await tx.rollback().execute()
    }
    expect((await store.db.transaction().execute(claimTimer))?.key).toBe("t1")
  })

  it("concurrent workers draining a queue apply every row exactly once", async () => {
    const { db } = ctx.store()
    await scheduleTimers(db, 24)
    const applied: string[] = []
    const worker = async () => {
      while (true) {
        const claimed = await db.transaction().execute(async (tx) => {
          const timer = await claimTimer(tx)
          if (timer === undefined) return undefined
          await pause(2) // hold the lock while "applying"
          await tx
            .updateTable("timers")
            .set({ status: "done", done_at: new Date() })
            .where("id", "=", timer.id)
            .execute()
          return timer.key
        })
        if (claimed === undefined) return
        applied.push(claimed)
      }
    }
    await Promise.all([worker(), worker(), worker(), worker()])
    expect(applied.toSorted()).toEqual(Array.from({ length: 24 }, (_, i) => `t${i + 1}`).toSorted())
    expect(await db.selectFrom("timers").select("id").where("status", "=", "pending").execute()).toEqual([])
  })
})
