import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describeEachDatabase } from "@liandong/store/testing"
import { type Kysely, sql } from "kysely"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  acknowledge,
  approve,
  deploy,
  exportCampaign,
  hashedFields,
  operator,
  readExport,
  rowHash,
  startCampaign,
  submitReport,
  type Verdict,
  verifyCampaign,
  verifyExport,
} from "../src/index.ts"
import { springWeek } from "./fixture.ts"
import { deployFixture, testEngine } from "./support.ts"

type Db = Kysely<import("@liandong/store").Database>

// What someone with superuser rights can do to the journal behind the application's back.
const asSuperuser = (db: Db, body: (tx: Db) => Promise<unknown>) =>
  db.transaction().execute(async (tx) => {
    await sql`set local session_replication_role = replica`.execute(tx)
    await body(tx as unknown as Db)
  })

const rehashFrom = async (tx: Db, campaign: string, fromSeq: number) => {
  const rows = await tx.selectFrom("journal").selectAll().where("campaign_id", "=", campaign).orderBy("seq").execute()
  let prev: string | null = rows.find((r) => r.seq === fromSeq - 1)?.hash ?? null
  for (const row of rows.filter((r) => r.seq >= fromSeq)) {
    const { id: _id, prev_hash: _p, hash: _h, ...fields } = row
    const hash = rowHash(
      prev,
      hashedFields({
        ...fields,
        machine_id: String(fields.machine_id),
        occurred_at: new Date(fields.occurred_at).toISOString(),
        recorded_at: new Date(fields.recorded_at).toISOString(),
      }),
    )
    await tx.updateTable("journal").set({ prev_hash: prev, hash }).where("id", "=", row.id).execute()
    prev = hash
  }
  await tx.updateTable("campaigns").set({ journal_head: prev }).where("id", "=", campaign).execute()
}

const tampers: Record<string, (db: Db) => Promise<unknown>> = {
  update: (db) =>
    asSuperuser(db, (tx) =>
      tx
        .updateTable("journal")
        .set({ actor: "someone-else" })
        .where("seq", "=", 10)
        .where("campaign_id", "=", "spring-week")
        .execute(),
    ),
  delete: (db) =>
    asSuperuser(db, (tx) =>
      tx.deleteFrom("journal").where("seq", "=", 10).where("campaign_id", "=", "spring-week").execute(),
    ),
  reorder: (db) =>
    asSuperuser(db, async (tx) => {
      const where = (seq: number) =>
        tx.updateTable("journal").where("campaign_id", "=", "spring-week").where("seq", "=", seq)
      await where(10).set({ seq: 1_000_000 }).execute()
      await where(11).set({ seq: 10 }).execute()
      await where(1_000_000).set({ seq: 11 }).execute()
    }),
  insert: (db) =>
    asSuperuser(db, async (tx) => {
      const rows = await tx
        .selectFrom("journal")
        .selectAll()
        .where("campaign_id", "=", "spring-week")
        .where("seq", ">=", 10)
        .orderBy("seq", "desc")
        .execute()
      for (const row of rows)
        await tx
          .updateTable("journal")
          .set({ seq: row.seq + 1 })
          .where("id", "=", row.id)
          .execute()
      const nine = await tx
        .selectFrom("journal")
        .selectAll()
        .where("campaign_id", "=", "spring-week")
        .where("seq", "=", 9)
        .executeTakeFirstOrThrow()
      const { id: _id, ...copy } = nine
      const fields = { ...copy, seq: 10, actor: "forger", prev_hash: nine.hash }
      const { prev_hash: _p, hash: _h, ...hashed } = fields
      const hash = rowHash(
        nine.hash,
        hashedFields({
          ...hashed,
          machine_id: String(hashed.machine_id),
          occurred_at: new Date(hashed.occurred_at).toISOString(),
          recorded_at: new Date(hashed.recorded_at).toISOString(),
        }),
      )
      await tx
        .insertInto("journal")
        .values({
          ...fields,
          hash,
          payload: JSON.stringify(fields.payload),
          state_before: JSON.stringify(fields.state_before),
          state_after: JSON.stringify(fields.state_after),
        })
        .execute()
    }),
  truncate: (db) => asSuperuser(db, (tx) => sql`delete from journal where campaign_id = 'spring-week'`.execute(tx)),
  "rehash suffix": (db) =>
    asSuperuser(db, async (tx) => {
      await tx
        .updateTable("journal")
        .set({ actor: "someone-else" })
        .where("seq", "=", 10)
        .where("campaign_id", "=", "spring-week")
        .execute()
      await rehashFrom(tx, "spring-week", 10)
      await tx.deleteFrom("checkpoints").execute()
    }),
  "swap campaigns": (db) =>
    asSuperuser(db, async (tx) => {
      const a = await tx
        .selectFrom("journal")
        .select("id")
        .where("campaign_id", "=", "spring-week")
        .where("seq", "=", 10)
        .executeTakeFirstOrThrow()
      const b = await tx
        .selectFrom("journal")
        .select("id")
        .where("campaign_id", "=", "autumn-week")
        .where("seq", "=", 10)
        .executeTakeFirstOrThrow()
      await tx
        .updateTable("journal")
        .set({ campaign_id: "autumn-week", seq: 1_000_010 })
        .where("id", "=", a.id)
        .execute()
      await tx.updateTable("journal").set({ campaign_id: "spring-week" }).where("id", "=", b.id).execute()
      await tx.updateTable("journal").set({ seq: 10 }).where("id", "=", a.id).execute()
    }),
}

describeEachDatabase("tampering with the journal", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  let held: string
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(deploy({ ...springWeek, key: "autumn-week" }, operator))
    const lead = await engine.actor("lead")
    for (const campaign of ["spring-week", "autumn-week"]) await engine.run(startCampaign(campaign, lead))
    await engine.advance("2026-04-13T09:00:00+08:00")
    for (const [unit, clerk] of [
      ["county-a", "clerk-a"],
      ["county-b", "clerk-b"],
      ["town-a1", "clerk-a1"],
    ] as const) {
      const actor = await engine.actor(clerk)
      for (const campaign of ["spring-week", "autumn-week"]) {
        await engine.run(acknowledge(`${campaign}/${unit}/plan`, actor))
        const report = await engine.run(
          submitReport(`${campaign}/${unit}/plan`, { narrative: { narrative: "方案" } }, actor),
        )
        await engine.run(approve(report.report, lead))
      }
    }
    await engine.advance("2026-04-20T09:00:00+08:00")
    held = await mkdtemp(join(tmpdir(), "liandong-held-"))
    await engine.run(exportCampaign("spring-week", operator, held))
  })
  afterEach(() => engine.dispose())

  const verdicts = async () => {
    const outside = await engine.run(readExport(held))
    const online = await engine.run(verifyCampaign("spring-week", operator, outside))
    const fresh = await mkdtemp(join(tmpdir(), "liandong-fresh-"))
    await engine.run(exportCampaign("spring-week", operator, fresh))
    const offline = await engine.run(verifyExport(fresh, join(held, "checkpoints.json")))
    return { online, offline }
  }

  it("verifies an untouched journal, online and offline", async () => {
    const { online, offline } = await verdicts()
    expect(online.findings).toEqual([])
    expect(offline.ok).toBe(true)
    expect(online.rows).toBeGreaterThan(20)
    expect(online.checkpoints).toBeGreaterThanOrEqual(2)
  })

  const named = (verdict: Verdict) => verdict.findings[0]?.seq

  const firstApproval = () =>
    ctx
      .store()
      .db.selectFrom("journal")
      .select(["id", "seq", "payload"])
      .where("campaign_id", "=", "spring-week")
      .where("event", "=", "task.approve")
      .orderBy("seq")
      .executeTakeFirstOrThrow()

  it("records the 审批意见 in the approval's event, and detects it changed in the journal", async () => {
    const row = await firstApproval()
    expect((row.payload as { comment?: string }).comment).toBe("同意")
    await asSuperuser(ctx.store().db, (tx) =>
      tx
        .updateTable("journal")
        .set({ payload: JSON.stringify({ ...(row.payload as object), comment: "不同意" }) })
        .where("id", "=", row.id)
        .execute(),
    )
    const { online, offline } = await verdicts()
    expect(online.ok).toBe(false)
    expect(offline.ok).toBe(false)
    expect(named(online)).toBe(row.seq)
  })

  // The export holds the journal, not the stored reports: the database's copy is checked online.
  it("detects a 审批意见 changed in the stored report", async () => {
    const row = await firstApproval()
    const report = (row.payload as { report: string }).report
    await asSuperuser(ctx.store().db, (tx) =>
      tx.updateTable("reports").set({ review_comment: "不同意" }).where("id", "=", report).execute(),
    )
    const { online } = await verdicts()
    expect(online.ok).toBe(false)
    expect(online.findings.map((f) => f.en).join("\n")).toMatch(
      new RegExp(`report ${report}'s review as stored differs`),
    )
  })

  describe.each(Object.keys(tampers))("%s", (name) => {
    it("is detected, online and offline, naming the row", async () => {
      await (tampers[name] as (db: Db) => Promise<unknown>)(ctx.store().db)
      const { online, offline } = await verdicts()
      expect(online.ok).toBe(false)
      expect(offline.ok).toBe(false)
      const expected = name === "truncate" ? 1 : 10
      for (const verdict of [online, offline]) {
        const first = verdict.findings[0]
        if (name === "rehash suffix") {
          // The chain is consistent again; the held checkpoint names the rewritten range.
          expect(first?.check).toBe("checkpoint")
          expect(first?.seq).toBeLessThanOrEqual(10)
          expect(first?.en).toMatch(/rows \d+ to \d+ were rewritten/u)
        } else {
          expect(named(verdict), JSON.stringify(verdict.findings.slice(0, 2))).toBe(expected)
        }
        expect(first?.zh.length).toBeGreaterThan(0)
      }
    })
  })
})
