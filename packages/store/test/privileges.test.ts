import { createHash, createHmac } from "node:crypto"
import { sql } from "kysely"
import { describe, expect, it } from "vitest"
import { appFunctionPrivileges, appTablePrivileges, reportReviewColumns, scramVerifier } from "../src/index.ts"
import { describeEachDatabase } from "../src/Testing.ts"
import { seedCampaign } from "./rows.ts"

describe("the SCRAM-SHA-256 verifier sent instead of a password", () => {
  // RFC 7677's exchange for the password "pencil": the verifier must accept its client proof
  // and produce its server signature.
  const salt = Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64")
  const nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
  const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`
  const proof = Buffer.from("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "base64")

  it("checks RFC 7677's client proof and gives its server signature", () => {
    const verifier = scramVerifier("pencil", salt, 4096)
    const match = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(verifier)
    expect(match?.[1]).toBe("W22ZaJ0SNY7soEsUEjb6gQ==")
    const storedKey = Buffer.from(match![2]!, "base64")
    const serverKey = Buffer.from(match![3]!, "base64")
    const clientSignature = createHmac("sha256", storedKey).update(authMessage).digest()
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ clientSignature[i]!))
    expect(createHash("sha256").update(clientKey).digest().equals(storedKey)).toBe(true)
    expect(createHmac("sha256", serverKey).update(authMessage).digest("base64")).toBe(
      "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    )
  })

  it("normalizes the password as clients do (SASLprep: NFKC, spaces, characters mapped to nothing)", () => {
    expect(scramVerifier("ｐｅｎ\u00adcil", salt)).toBe(scramVerifier("pencil", salt))
    expect(scramVerifier("a\u3000b", salt)).toBe(scramVerifier("a b", salt))
  })

  it("salts each verifier afresh", () => {
    expect(scramVerifier("pencil")).not.toBe(scramVerifier("pencil"))
  })
})

describe("the privilege matrix", () => {
  it("the matrix never lets the application rewrite the record", () => {
    for (const table of [
      "journal",
      "checkpoints",
      "report_figures",
      "summaries",
      "attachment_contents",
      "attachments",
      "report_attachments",
    ]) {
      expect(appTablePrivileges[table], table).toMatchObject({ select: true, insert: true })
      expect(appTablePrivileges[table]?.update, table).toBeUndefined()
      expect(appTablePrivileges[table]?.delete, table).toBeUndefined()
    }
    expect(appTablePrivileges.reports?.update).toEqual(reportReviewColumns)
    expect(appTablePrivileges.reports?.delete).toBeUndefined()
    expect(appTablePrivileges.definitions?.update).toBeUndefined()
  })
})

describeEachDatabase("least privilege", (ctx) => {
  it("the privilege matrix covers every table and every function the migrated schema has", async () => {
    const { db } = ctx.store()
    const tables = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() order by 1`.execute(db)
    const missing = tables.rows.map((r) => r.name).filter((t) => !Object.hasOwn(appTablePrivileges, t))
    // A table added by a migration needs a line in packages/store/src/Privileges.ts.
    expect(missing).toEqual([])
    expect(tables.rows.map((r) => r.name)).toEqual(expect.arrayContaining(["journal", "reports", "kysely_migration"]))
    const functions = await sql<{ name: string }>`
      select p.proname as name from pg_proc p
      where p.pronamespace = current_schema()::regnamespace and p.prorettype <> 'trigger'::regtype
      order by 1`.execute(db)
    const uncovered = functions.rows.map((r) => r.name).filter((f) => !Object.hasOwn(appFunctionPrivileges, f))
    expect(uncovered).toEqual([])
    expect(functions.rows.map((r) => r.name)).toContain("journal_append")
  })

  it("a report's review columns are the ones its trigger lets change", async () => {
    const { rows } = await sql<{ def: string }>`
      select pg_get_triggerdef(t.oid) as def from pg_trigger t
      where t.tgrelid = 'reports'::regclass and t.tgname = 'reports_review_only'`.execute(ctx.store().db)
    const args = /liandong_only_columns\((.*)\)/.exec(rows[0]?.def ?? "")?.[1]
    expect(args?.split(",").map((a) => a.trim().replaceAll("'", ""))).toEqual([...reportReviewColumns])
  })

  it("PUBLIC holds no right on any table, sequence or function of the schema", async () => {
    const { rows } = await sql<{ name: string; privilege: string }>`
      select c.relname as name, a.privilege_type as privilege
      from pg_class c, aclexplode(coalesce(c.relacl, acldefault(case c.relkind when 'S' then 's' else 'r' end::"char", c.relowner))) a
      where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p', 'v', 'S') and a.grantee = 0
      union all
      select p.proname, a.privilege_type
      from pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
      where p.pronamespace = current_schema()::regnamespace and a.grantee = 0`.execute(ctx.store().db)
    expect(rows).toEqual([])
  })

  it("a report's content and its figures are fixed once written, even for the owner; its review is not", async () => {
    const { db } = ctx.store()
    await seedCampaign(db)
    const report = await db
      .insertInto("reports")
      .values({
        campaign_id: "c",
        unit_key: "u",
        task_key: "t",
        attempt: 1,
        status: "submitted",
        narrative: JSON.stringify({ narrative: "已完成" }),
        submitted_by: "p",
        submitted_at: new Date("2026-04-13T01:00:00Z"),
      })
      .returning("id")
      .executeTakeFirstOrThrow()
    await db.insertInto("report_figures").values({ report_id: report.id, figure_key: "f", value: "12" }).execute()

    await db
      .updateTable("reports")
      .set({ status: "returned", reviewed_by: "lead", reviewed_at: new Date(), return_reason: "补充数据" })
      .where("id", "=", report.id)
      .execute()
    const fixed = /fixed once written/
    await expect(
      db
        .updateTable("reports")
        .set({ narrative: JSON.stringify({ narrative: "改过" }) })
        .execute(),
    ).rejects.toThrow(fixed)
    await expect(db.updateTable("reports").set({ submitted_by: "someone" }).execute()).rejects.toThrow(fixed)
    await expect(db.updateTable("reports").set({ status: "approved", attempt: 2 }).execute()).rejects.toThrow(fixed)
    await expect(db.deleteFrom("reports").execute()).rejects.toThrow(/append-only/)
    await expect(sql`truncate reports cascade`.execute(db)).rejects.toThrow(/append-only/)
    await expect(db.updateTable("report_figures").set({ value: "99999" }).execute()).rejects.toThrow(/append-only/)
    await expect(db.deleteFrom("report_figures").execute()).rejects.toThrow(/append-only/)
    await expect(sql`truncate report_figures`.execute(db)).rejects.toThrow(/append-only/)

    expect(await db.selectFrom("reports").select(["status", "narrative", "return_reason"]).execute()).toEqual([
      { status: "returned", narrative: { narrative: "已完成" }, return_reason: "补充数据" },
    ])
    expect(await db.selectFrom("report_figures").select("value").execute()).toEqual([{ value: "12" }])
  })

  it("a deployed definition is kept as deployed, even for the owner", async () => {
    const { db } = ctx.store()
    await seedCampaign(db)
    await expect(db.updateTable("definitions").set({ hash: "forged" }).execute()).rejects.toThrow(/append-only/)
    await expect(db.updateTable("definitions").set({ body: "{}" }).execute()).rejects.toThrow(/append-only/)
    await expect(sql`delete from definitions`.execute(db)).rejects.toThrow(/append-only|foreign key/)
    await expect(sql`truncate definitions cascade`.execute(db)).rejects.toThrow(/append-only/)
    expect(await db.selectFrom("definitions").select("hash").execute()).toEqual([{ hash: "hash-c" }])
  })
})
