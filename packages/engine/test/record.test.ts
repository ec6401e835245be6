import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { loadTotals } from "@liandong/report"
import { describeEachDatabase } from "@liandong/store/testing"
import { normalizeCampaign, unitAndSubordinates } from "@liandong/workflow"
import { Effect } from "effect"
import { type Kysely, sql } from "kysely"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { readTrustedKeys } from "../src/audit/Evidence.ts"
import { rotateKey } from "../src/audit/KeyRing.ts"
import {
  claimText,
  exportCampaign,
  hashedFields,
  type JournalRecord,
  loadEvidence,
  operator,
  rowHash,
  Signer,
  type SummaryContent,
  startCampaign,
  verifyCampaign,
  verifyEvidence,
  verifyExport,
} from "../src/index.ts"
import { springWeek } from "./fixture.ts"
import { deployFixture, playFixture, testEngine } from "./support.ts"

type Db = Kysely<import("@liandong/store").Database>

// What a DBA can do: bypass the append-only and immutability triggers.
const asSuperuser = (db: Db, body: (tx: Db) => Promise<unknown>) =>
  db.transaction().execute(async (tx) => {
    await sql`set local session_replication_role = replica`.execute(tx)
    await body(tx as unknown as Db)
  })

const submitRow = (db: Db, unit: string, task: string) =>
  db
    .selectFrom("journal")
    .selectAll()
    .where("campaign_id", "=", "spring-week")
    .where("event", "=", "task.submit")
    .where("unit_key", "=", unit)
    .where(sql<boolean>`payload ->> 'task' = ${task}`)
    .orderBy("seq", "desc")
    .executeTakeFirstOrThrow()

/** Rehashes an exported journal from `from` on, as a forger who rewrote it would. */
const rehash = (rows: JournalRecord[], from: number): JournalRecord[] => {
  let prev: string | null = null
  return rows.map((row) => {
    if (row.seq < from) {
      prev = row.hash
      return row
    }
    const { prev_hash: _p, hash: _h, ...fields } = row
    const hash = rowHash(prev, hashedFields(fields))
    const out = { ...row, prev_hash: prev, hash }
    prev = hash
    return out
  })
}

describeEachDatabase("the accountable record", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await playFixture(engine)
    await engine.advance("2026-05-20T09:00:00+08:00")
  })
  afterEach(() => engine.dispose())

  const exported = async () => {
    const dir = await mkdtemp(join(tmpdir(), "liandong-record-"))
    await engine.run(exportCampaign("spring-week", operator, dir))
    return dir
  }

  it("journals every figure and narrative of a report, and the export carries them", async () => {
    const row = await submitRow(ctx.store().db, "county-a", "brochures")
    expect(row.content).toMatchObject({
      report: { unit: "county-a", task: "brochures", figures: { brochures: "6000", people: "120" } },
    })
    expect((row.content as { report: { narrative: Record<string, string> } }).report.narrative.narrative).toBe(
      "设点宣传",
    )
    const lines = (await readFile(join(await exported(), "journal.jsonl"), "utf8")).split("\n")
    const line = lines.find((l) => l.includes(`"seq":${row.seq},`))
    expect(line).toContain('"brochures":"6000"')
    expect(line).toContain("设点宣传")
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  it("finds a figure changed in the database, naming the row and the change", async () => {
    const { db } = ctx.store()
    const row = await submitRow(db, "county-a", "brochures")
    const reportId = (row.payload as { report: string }).report
    await asSuperuser(db, (tx) =>
      tx
        .updateTable("report_figures")
        .set({ value: "99999" })
        .where("report_id", "=", reportId)
        .where("figure_key", "=", "brochures")
        .execute(),
    )
    const verdict = await engine.run(verifyCampaign("spring-week", operator))
    expect(verdict.ok).toBe(false)
    const found = verdict.findings.find((f) => f.check === "content")
    expect(found?.seq).toBe(row.seq)
    expect(found?.en).toContain("figures.brochures: 6000 → 99999")
    expect(found?.zh).toContain(`第 ${row.seq} 行`)
  })

  it("finds a narrative and a review changed in the database", async () => {
    const { db } = ctx.store()
    const row = await submitRow(db, "county-b", "brochures")
    const reportId = (row.payload as { report: string }).report
    await asSuperuser(db, (tx) =>
      sql`update reports set narrative = jsonb_set(narrative, '{narrative}', '"另写的"') where id = ${reportId}`.execute(
        tx,
      ),
    )
    await asSuperuser(db, (tx) =>
      tx
        .updateTable("reports")
        .set({ reviewed_by: "someone-else" })
        .where("campaign_id", "=", "spring-week")
        .where("unit_key", "=", "town-a1")
        .execute(),
    )
    const verdict = await engine.run(verifyCampaign("spring-week", operator))
    const content = verdict.findings.filter((f) => f.check === "content")
    expect(content.some((f) => f.seq === row.seq && f.en.includes("narrative.narrative: 设点宣传 → 另写的"))).toBe(true)
    expect(content.some((f) => f.en.includes("review as stored differs"))).toBe(true)
  })

  it("finds a figure changed in the export, offline, naming the row", async () => {
    const dir = await exported()
    expect((await engine.run(verifyExport(dir))).ok).toBe(true)
    const row = await submitRow(ctx.store().db, "county-a", "brochures")
    const path = join(dir, "journal.jsonl")
    const lines = (await readFile(path, "utf8")).split("\n")
    const at = lines.findIndex((l) => l.includes(`"seq":${row.seq},`))
    lines[at] = (lines[at] as string).replace('"brochures":"6000"', '"brochures":"60000"')
    await writeFile(path, lines.join("\n"))
    const verdict = await engine.run(verifyExport(dir))
    expect(verdict.ok).toBe(false)
    expect(verdict.findings[0]?.seq).toBe(row.seq)
  })

  it("recomputes the summary's totals and every level's from the journaled reports", async () => {
    const evidence = await engine.run(loadEvidence("spring-week", operator))
    expect(verifyEvidence(evidence).findings).toEqual([])
    const summaryRow = evidence.rows.find((r) => r.event === "summary.written") as JournalRecord
    const stated = (summaryRow.content as { summary: SummaryContent }).summary
    expect(stated.totals).toContainEqual({ task: "brochures", figure: "brochures", total: "10350" })
    expect(stated.levels.find((l) => l.unit === "county-a")?.totals).toContainEqual({
      task: "brochures",
      figure: "brochures",
      total: "6350",
    })

    // A forger holding the deployment's key rewrites the stated total and re-signs everything after it.
    const forged = {
      summary: {
        ...stated,
        totals: stated.totals.map((t) => (t.figure === "brochures" ? { ...t, total: "10360" } : t)),
      },
    }
    const rows = rehash(
      evidence.rows.map((r) => (r.seq === summaryRow.seq ? { ...r, content: forged } : r)),
      summaryRow.seq,
    )
    const key = await engine.run(Effect.map(Effect.service(Signer), (s) => s.current()))
    const checkpoints = evidence.checkpoints.map((c) => {
      const { signature: _s, ...claim } = { ...c, head: c.seq === 0 ? null : (rows[c.seq - 1]?.hash ?? null) }
      return { ...claim, signature: key.sign(claimText(claim)) }
    })
    const verdict = verifyEvidence({ ...evidence, rows, checkpoints, documents: [], reports: undefined })
    expect(verdict.findings.map((f) => f.check)).toEqual(["summary"])
    expect(verdict.findings[0]?.seq).toBe(summaryRow.seq)
    expect(verdict.findings[0]?.en).toContain("states 10360 for brochures.brochures")
    expect(verdict.findings[0]?.en).toContain("add up to 10350")
  })

  it("states each level's totals as that level's summary does", async () => {
    const campaign = normalizeCampaign(springWeek)
    const row = await ctx
      .store()
      .db.selectFrom("journal")
      .select("content")
      .where("campaign_id", "=", "spring-week")
      .where("event", "=", "summary.written")
      .executeTakeFirstOrThrow()
    const { levels } = (row.content as { summary: SummaryContent }).summary
    expect(levels.map((l) => l.unit)).toEqual(["city", "county-a"])
    for (const level of levels) {
      const scope = unitAndSubordinates(campaign, level.unit)
      const totals = await loadTotals(ctx.store().db, "spring-week", campaign, scope)
      const reported = totals.filter((t) => t.contributions.length > 0)
      expect(level.totals).toEqual(reported.map((t) => ({ task: t.task, figure: t.figure, total: t.total })))
    }
  })

  it("finds a summary document changed in the export", async () => {
    const dir = await exported()
    expect(await readdir(join(dir, "summaries"))).toEqual(["v1.docx", "v1.html", "v1.md"])
    await writeFile(join(dir, "summaries", "v1.md"), "# 另一份总结\n")
    const verdict = await engine.run(verifyExport(dir))
    expect(verdict.ok).toBe(false)
    expect(verdict.findings.map((f) => f.check)).toEqual(["summary"])
    expect(verdict.findings[0]?.en).toContain("summary version 1 (md) does not match")
  })

  it("fails a closed campaign whose checkpoints were removed, online and offline", async () => {
    await asSuperuser(ctx.store().db, (tx) => tx.deleteFrom("checkpoints").execute())
    const online = await engine.run(verifyCampaign("spring-week", operator))
    expect(online.ok).toBe(false)
    expect(online.checkpoints).toBe(0)
    expect(online.findings.some((f) => f.check === "checkpoint" && f.en.includes("closed but no checkpoint"))).toBe(
      true,
    )
    const offline = await engine.run(verifyExport(await exported()))
    expect(offline.findings).toEqual(online.findings.filter((f) => f.check === "checkpoint"))
  })
})

describeEachDatabase("the key ring", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
  })
  afterEach(() => engine.dispose())

  describe("after a rotation mid-campaign", () => {
    let old: string
    beforeEach(async () => {
      const rotated = await engine.run(rotateKey(operator))
      old = rotated.retired
      await playFixture(engine)
      await engine.advance("2026-05-20T09:00:00+08:00")
    })

    it("verifies online and from the export alone, each checkpoint by the key that signed it", async () => {
      const { db } = ctx.store()
      const ring = await db.selectFrom("signing_keys").selectAll().orderBy("valid_from").execute()
      expect(ring).toHaveLength(2)
      expect(ring.find((k) => k.key_id === old)?.valid_until).not.toBeNull()
      const signers = await db.selectFrom("checkpoints").select("key_id").distinct().execute()
      expect(signers).toHaveLength(2)
      expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
      const dir = await mkdtemp(join(tmpdir(), "liandong-ring-"))
      await engine.run(exportCampaign("spring-week", operator, dir))
      // Another machine: no database, no key file, only the export.
      expect((await engine.run(verifyExport(dir))).findings).toEqual([])
    })

    it("believes only the keys an auditor pins", async () => {
      const dir = await mkdtemp(join(tmpdir(), "liandong-ring-"))
      await engine.run(exportCampaign("spring-week", operator, dir))
      const pems = (await readdir(dir)).filter((n) => n.startsWith("public-key-")).map((n) => join(dir, n))
      const current = pems.filter((p) => !p.includes(old))
      const both = await engine.run(readTrustedKeys(pems))
      expect((await engine.run(verifyCampaign("spring-week", operator, { trusted: both }))).findings).toEqual([])
      const onlyNew = await engine.run(readTrustedKeys(current))
      const verdict = await engine.run(verifyCampaign("spring-week", operator, { trusted: onlyNew }))
      expect(verdict.ok).toBe(false)
      expect(verdict.findings.every((f) => f.check === "checkpoint")).toBe(true)
      expect(verdict.findings[0]?.en).toContain(`key ${old}, which is not among the trusted keys`)
    })
  })

  it("refuses to rotate for anyone but the operator", async () => {
    const failure = await engine.failure(rotateKey(await engine.actor("lead")))
    expect(failure._tag).toBe("NotAllowed")
  })
})
