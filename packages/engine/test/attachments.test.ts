import { existsSync } from "node:fs"
import { mkdtemp, readdir, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { loadApprovedReports } from "@liandong/report"
import { describeEachDatabase } from "@liandong/store/testing"
import { Stream } from "effect"
import { type Kysely, sql } from "kysely"
import { afterEach, beforeEach, expect, it } from "vitest"
import {
  acknowledge,
  approve,
  exportCampaign,
  operator,
  reportAttachment,
  reportDetail,
  returnReport,
  startCampaign,
  submitReport,
  uploadAttachment,
  verifyCampaign,
  verifyExport,
} from "../src/index.ts"
import { jpeg, pdfOf, pngOf } from "./files.ts"
import { deployFixture, testEngine } from "./support.ts"

type Db = Kysely<import("@liandong/store").Database>

// What someone with superuser rights can do behind the application's back.
const asSuperuser = (db: Db, body: (tx: Db) => Promise<unknown>) =>
  db.transaction().execute(async (tx) => {
    await sql`set local session_replication_role = replica`.execute(tx)
    await body(tx as unknown as Db)
  })

const bytes = (...chunks: Buffer[]) => Stream.fromIterable(chunks.map((c) => new Uint8Array(c)))

const task = "spring-week/county-a/plan"

describeEachDatabase("evidence attached to reports", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
    await engine.run(acknowledge(task, await engine.actor("clerk-a")))
  })
  afterEach(() => engine.dispose())

  const count = async (table: "attachments" | "attachment_contents" | "report_attachments") =>
    Number(
      (
        await ctx
          .store()
          .db.selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    )

  /** A report carrying a PDF and two photos. */
  const submitWithFiles = async () => {
    const clerk = await engine.actor("clerk-a")
    const pdf = await engine.run(uploadAttachment(task, "签到表.pdf", bytes(pdfOf("sign-in sheet")), clerk))
    // The body may arrive in many pieces.
    const png = pngOf(6, 4, [200, 30, 30])
    const photo = await engine.run(
      uploadAttachment(task, "街头宣传.PNG", bytes(png.subarray(0, 20), png.subarray(20)), clerk),
    )
    const stamp = await engine.run(uploadAttachment(task, "盖章.jpg", bytes(jpeg), clerk))
    const report = await engine.run(
      submitReport(task, { narrative: { narrative: "方案" }, attachments: [pdf.id, photo.id, stamp.id] }, clerk),
    )
    return { report, files: [pdf, photo, stamp] }
  }

  it("stores a file by its hash, puts it in the chain, and verifies it online and offline", async () => {
    const { report, files } = await submitWithFiles()
    expect(files.map((f) => [f.name, f.type])).toEqual([
      ["签到表.pdf", "application/pdf"],
      ["街头宣传.PNG", "image/png"],
      ["盖章.jpg", "image/jpeg"],
    ])
    expect(files[0]?.sha256).toMatch(/^[0-9a-f]{64}$/)

    // The journal row of the submission carries each file's hash, name, type and size.
    const row = await ctx
      .store()
      .db.selectFrom("journal")
      .select("content")
      .where("campaign_id", "=", "spring-week")
      .where("event", "=", "task.submit")
      .executeTakeFirstOrThrow()
    expect((row.content as any).report.attachments).toEqual(
      files.map((f) => ({ sha256: f.sha256, name: f.name, type: f.type, size: f.size })),
    )

    // The reviewer reads them and their bytes.
    const lead = await engine.actor("lead")
    const detail = await engine.run(reportDetail(report.report, lead))
    expect(detail.attachments.map((a) => a.name)).toEqual(files.map((f) => f.name))
    const pdf = await engine.run(reportAttachment(report.report, files[0]!.id, lead))
    expect(pdf.type).toBe("application/pdf")
    expect(Buffer.from(pdf.bytes).subarray(0, 5).toString()).toBe("%PDF-")
    // The summary's appendix reads them with the approved report.
    await engine.run(approve(report.report, lead))
    const approved = await loadApprovedReports(ctx.store().db, "spring-week")
    expect(approved.find((r) => r.id === report.report)?.attachments).toEqual(
      files.map((f) => ({ name: f.name, sha256: f.sha256 })),
    )
    // Another county's clerk cannot.
    const other = await engine.failure(reportAttachment(report.report, files[0]!.id, await engine.actor("clerk-b")))
    expect(other._tag).toBe("NotFound")

    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
    const dir = await mkdtemp(join(tmpdir(), "liandong-files-"))
    const exported = await engine.run(exportCampaign("spring-week", operator, dir))
    expect(exported.files).toBe(3)
    expect((await readdir(join(dir, "files"))).sort()).toEqual(files.map((f) => f.sha256).sort())
    expect((await engine.run(verifyExport(dir))).findings).toEqual([])

    // Hashes only: no files, and offline verification does not ask for them.
    const hashes = await mkdtemp(join(tmpdir(), "liandong-hashes-"))
    await engine.run(exportCampaign("spring-week", operator, hashes, { hashesOnly: true }))
    expect(existsSync(join(hashes, "files"))).toBe(false)
    expect((await engine.run(verifyExport(hashes))).ok).toBe(true)

    // A file altered in the export is named, with its report.
    await writeFile(join(dir, "files", files[1]!.sha256), pngOf(6, 4, [200, 30, 31]))
    const altered = await engine.run(verifyExport(dir))
    expect(altered.ok).toBe(false)
    expect(altered.findings.map((f) => f.en).join("\n")).toContain(
      `report ${report.report}'s file "街头宣传.PNG" was altered`,
    )
  })

  it("fails verification naming the report when one stored byte changes", async () => {
    const { report, files } = await submitWithFiles()
    const sha = files[0]!.sha256
    await asSuperuser(ctx.store().db, (tx) =>
      sql`update attachment_contents set bytes = overlay(bytes placing '\\x00'::bytea from 12 for 1) where sha256 = ${sha}`.execute(
        tx,
      ),
    )
    const online = await engine.run(verifyCampaign("spring-week", operator))
    expect(online.ok).toBe(false)
    const said = online.findings.map((f) => f.en).join("\n")
    expect(said).toContain(`report ${report.report} as stored differs`)
    expect(said).toContain(`"签到表.pdf" was altered`)

    // An export taken now carries the altered bytes, which no longer hash to what the journal holds.
    const dir = await mkdtemp(join(tmpdir(), "liandong-files-"))
    await engine.run(exportCampaign("spring-week", operator, dir))
    const offline = await engine.run(verifyExport(dir))
    expect(offline.ok).toBe(false)
    expect(offline.findings.map((f) => f.en).join("\n")).toContain(`report ${report.report}'s file "签到表.pdf"`)
  })

  it("keeps a returned report's files on resubmission unless the unit names others", async () => {
    const { report, files } = await submitWithFiles()
    await engine.run(returnReport(report.report, "照片不清楚", await engine.actor("lead")))
    const clerk = await engine.actor("clerk-a")
    const again = await engine.run(submitReport(task, { narrative: { narrative: "方案二" } }, clerk))
    const kept = await engine.run(reportDetail(again.report, clerk))
    expect(kept.attachments.map((a) => a.sha256)).toEqual(files.map((f) => f.sha256))
    await engine.run(returnReport(again.report, "去掉盖章件", await engine.actor("lead")))
    const third = await engine.run(
      submitReport(task, { narrative: { narrative: "方案三" }, attachments: [files[0]!.id] }, clerk),
    )
    expect((await engine.run(reportDetail(third.report, clerk))).attachments.map((a) => a.name)).toEqual(["签到表.pdf"])
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  it("refuses a file too big, of the wrong type, or of another task, storing nothing", async () => {
    const clerk = await engine.actor("clerk-a")
    const big = await engine.failure(
      uploadAttachment(task, "big.pdf", bytes(pdfOf("x"), Buffer.alloc(2048)), clerk, { maxBytes: 1024 }),
    )
    expect(big._tag).toBe("TooLarge")
    const mismatched = await engine.failure(uploadAttachment(task, "scan.pdf", bytes(pngOf(2, 2, [0, 0, 0])), clerk))
    expect(mismatched).toMatchObject({ _tag: "InvalidInput", problems: [{ path: "name" }] })
    const unknown = await engine.failure(uploadAttachment(task, "run.exe", bytes(Buffer.from("MZ")), clerk))
    expect(unknown).toMatchObject({ _tag: "InvalidInput", problems: [{ path: "name" }] })
    const traversal = await engine.failure(uploadAttachment(task, "../a.pdf", bytes(pdfOf("x")), clerk))
    expect(traversal._tag).toBe("InvalidInput")
    expect([await count("attachments"), await count("attachment_contents")]).toEqual([0, 0])

    // Another unit may not upload for this task; a report cannot name another task's upload.
    const stranger = await engine.failure(
      uploadAttachment(task, "a.pdf", bytes(pdfOf("x")), await engine.actor("clerk-b")),
    )
    expect(["NotAllowed", "NotFound"]).toContain(stranger._tag)
    const elsewhere = await engine.run(
      uploadAttachment("spring-week/county-b/plan", "b.pdf", bytes(pdfOf("b")), await engine.actor("clerk-b")),
    )
    const named = await engine.failure(
      submitReport(task, { narrative: { narrative: "方案" }, attachments: [elsewhere.id] }, clerk),
    )
    expect(named).toMatchObject({ _tag: "InvalidInput", problems: [{ path: "attachments.0" }] })
    expect(await count("report_attachments")).toBe(0)
  })

  it("leaves the stored files as they are: the application may not change them", async () => {
    await submitWithFiles()
    const db = ctx.store().db
    await expect(sql`update attachment_contents set size = 1`.execute(db)).rejects.toThrow(/append-only/)
    await expect(sql`delete from attachments`.execute(db)).rejects.toThrow(/append-only/)
    await expect(sql`delete from report_attachments`.execute(db)).rejects.toThrow(/append-only/)
  })
})
