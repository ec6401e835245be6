import { describeEachDatabase } from "@liandong/store/testing"
import { type Kysely, sql } from "kysely"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { verifyStored } from "../src/audit/Evidence.ts"
import {
  checkpointNow,
  hashedFields,
  loadEvidence,
  operator,
  rowHash,
  startCampaign,
  verifyEvidence,
} from "../src/index.ts"
import { deployFixture, playFixture, testEngine } from "./support.ts"

type Db = Kysely<import("@liandong/store").Database>

const asSuperuser = (db: Db, body: (tx: Db) => Promise<unknown>) =>
  db.transaction().execute(async (tx) => {
    await sql`set local session_replication_role = replica`.execute(tx)
    await body(tx as unknown as Db)
  })

// A row's recorded state changed and the chain rehashed after it: only the replay can tell.
const forgeState = (db: Db) =>
  asSuperuser(db, async (tx) => {
    const rows = await tx
      .selectFrom("journal")
      .selectAll()
      .where("campaign_id", "=", "spring-week")
      .orderBy("seq")
      .execute()
    const target = rows.find((r) => r.seq > 10 && r.event === "task.acknowledge")
    if (target === undefined) throw new Error("no acknowledgement to forge")
    let prev = rows.find((r) => r.seq === target.seq - 1)?.hash ?? null
    for (const row of rows.filter((r) => r.seq >= target.seq)) {
      const { id, prev_hash: _p, hash: _h, ...fields } = row
      const state_after = row.id === target.id ? "forged" : fields.state_after
      const hash = rowHash(
        prev,
        hashedFields({
          ...fields,
          state_after,
          machine_id: String(fields.machine_id),
          occurred_at: new Date(fields.occurred_at).toISOString(),
          recorded_at: new Date(fields.recorded_at).toISOString(),
        }),
      )
      await tx
        .updateTable("journal")
        .set({ prev_hash: prev, hash, state_after: JSON.stringify(state_after) })
        .where("id", "=", id)
        .execute()
      prev = hash
    }
    await tx.updateTable("campaigns").set({ journal_head: prev }).where("id", "=", "spring-week").execute()
  })

const tampers: Record<string, (db: Db) => Promise<unknown>> = {
  none: async () => undefined,
  "an altered row": (db) =>
    asSuperuser(db, (tx) => tx.updateTable("journal").set({ actor: "someone-else" }).where("seq", "=", 10).execute()),
  "deleted rows at the end": (db) =>
    asSuperuser(db, (tx) => sql`delete from journal where campaign_id = 'spring-week' and seq > 20`.execute(tx)),
  "a forged state, rehashed": forgeState,
  "a stored snapshot": (db) =>
    asSuperuser(db, (tx) =>
      sql`update machines set snapshot = jsonb_set(snapshot, '{value}', '"nowhere"') where unit_key = 'county-b'`.execute(
        tx,
      ),
    ),
}

// Online verification reads the journal and the machines a page at a time; it must say exactly what
// verifying the whole evidence at once says, whatever the page size.
describeEachDatabase("verifying the journal page by page", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await playFixture(engine)
    await engine.run(checkpointNow("spring-week", operator))
  })
  afterEach(() => engine.dispose())

  describe.each(Object.keys(tampers))("%s", (name) => {
    it("finds what the whole evidence shows, with pages of any size", async () => {
      await (tampers[name] as (db: Db) => Promise<unknown>)(ctx.store().db)
      const whole = verifyEvidence(await engine.run(loadEvidence("spring-week", operator)))
      expect(whole.ok).toBe(name === "none")
      for (const pages of [
        { journal: 1, machines: 1 },
        { journal: 7, machines: 2 },
        { journal: 1000, machines: 500 },
      ]) {
        expect(await engine.run(verifyStored("spring-week", operator, undefined, pages))).toEqual(whole)
      }
    })
  })
})
