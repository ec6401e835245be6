import { sql } from "kysely"
import { expect, it } from "vitest"
import { carriedColumns } from "../src/migrations/0028_carried_columns.ts"
import { describeEachDatabase } from "../src/Testing.ts"
import { journalRow, seedCampaign } from "./rows.ts"

describeEachDatabase("statistics", (ctx) => {
  it("an analyze learns the journal's searched columns and nothing of its carried ones", async () => {
    const { db } = ctx.store()
    const { machineId } = await seedCampaign(db)
    const rows = Array.from({ length: 300 }, (_, i) => ({
      ...journalRow(machineId, i + 1),
      unit_key: `u${i % 7}`,
      event: i % 2 === 0 ? "task.acknowledge" : "task.submit",
      payload: JSON.stringify({ type: "task.submit", task: `t${i % 5}`, figures: { n: String(i) } }),
      state_after: JSON.stringify({ phase: "p", task: `t${i % 5}` }),
    }))
    await db.insertInto("journal").values(rows).execute()
    await sql`analyze journal`.execute(db)
    const learned = await sql<{ column: string }>`
      select attname as column from pg_stats where schemaname = current_schema() and tablename = 'journal'
      order by attname`.execute(db)
    const columns = learned.rows.map((r) => r.column)
    expect(columns).toEqual(expect.arrayContaining(["campaign_id", "event", "seq", "unit_key", "actor"]))
    for (const carried of carriedColumns.journal) expect(columns).not.toContain(carried)
  })

  it("no statistics are kept for any carried column, and every other keeps the default", async () => {
    const { db } = ctx.store()
    const targets = await sql<{ table: string; column: string; target: number }>`
      select c.relname as table, a.attname as column, coalesce(a.attstattarget, -1)::int as target
      from pg_attribute a join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped`.execute(db)
    const carried = new Set(
      Object.entries(carriedColumns).flatMap(([table, columns]) => columns.map((column) => `${table}.${column}`)),
    )
    const zero = targets.rows.filter((r) => r.target === 0).map((r) => `${r.table}.${r.column}`)
    expect(new Set(zero)).toEqual(carried)
  })
})
