/**
 * Migration 0009 moves the shared directory of units into the campaigns: each unit is
 * copied to every campaign whose current definition names it, as that definition
 * declares it, rows no campaign names go, and the way back keeps one row a key.
 */
import { sql } from "kysely"
import { Migrator } from "kysely/migration"
import { afterEach, expect, it } from "vitest"
import { migrateToLatest, migrations } from "../src/index.ts"
import { describeEachDatabase } from "../src/Testing.ts"

const names = Object.keys(migrations)
const before = names[names.indexOf("0009_campaign_units") - 1] as string

const unit = (key: string, name: string, parent: string | null) => ({
  key,
  name,
  nameEn: null,
  role: parent === null ? "host" : "subordinate",
  parent,
  level: parent === null ? "city" : "county",
})

/** The old world: one directory that tour-b's deploy, the last one, renamed and re-parented. */
const seedOldSchema = async (db: Parameters<typeof migrateToLatest>[0]) => {
  const tourA1 = { key: "tour-a", units: [unit("city", "甲市局", null), unit("east", "东区分局", "city")] }
  const tourA2 = { ...tourA1, units: [...tourA1.units, unit("north", "北区分局", "city")] }
  const tourB = { key: "tour-b", units: [unit("other-city", "丙市局", null), unit("east", "丙东区", "other-city")] }
  await sql`
    insert into units (key, name, name_en, parent_key, level, created_at) values
      ('city', '甲市局', null, null, 'city', '2026-01-01T00:00:00Z'),
      ('other-city', '丙市局', null, null, 'city', '2026-01-02T00:00:00Z'),
      ('east', '丙东区', null, 'other-city', 'county', '2026-01-01T00:00:00Z'),
      ('orphan', '无人提及', null, null, null, '2026-01-01T00:00:00Z');
    insert into principals (id, name, role, unit_key) values ('clerk', '东区联络员', 'unit', 'east')`.execute(db)
  const definition = async (body: { key: string }, version: number) =>
    (
      await sql<{ id: string }>`
        insert into definitions (key, version, hash, body)
        values (${body.key}, ${version}, ${`hash-${body.key}-${version}`}, ${JSON.stringify(body)}::jsonb)
        returning id`.execute(db)
    ).rows[0]?.id
  await definition(tourA1, 1)
  const a = await definition(tourA2, 2)
  const b = await definition(tourB, 1)
  await sql`insert into campaigns (id, definition_id, status) values ('tour-a', ${a}, 'deployed'), ('tour-b', ${b}, 'running')`.execute(
    db,
  )
}

describeEachDatabase("migration 0009: units belong to their campaign", (ctx) => {
  afterEach(async () => {
    await migrateToLatest(ctx.store().db)
  })

  it("copies each unit to every campaign naming it, as that campaign declares it, and back", async () => {
    const { db } = ctx.store()
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
    expect((await migrator.migrateTo(before)).error).toBeUndefined()
    await seedOldSchema(db)

    expect((await migrator.migrateTo("0009_campaign_units")).error).toBeUndefined()
    const moved = await sql<{
      campaign_id: string
      key: string
      name: string
      parent_key: string | null
      level: string | null
      created_at: Date
    }>`select campaign_id, key, name, parent_key, level, created_at from units order by campaign_id, key`.execute(db)
    expect(moved.rows.map(({ created_at: _, ...row }) => row)).toEqual([
      { campaign_id: "tour-a", key: "city", name: "甲市局", parent_key: null, level: "city" },
      { campaign_id: "tour-a", key: "east", name: "东区分局", parent_key: "city", level: "county" },
      { campaign_id: "tour-a", key: "north", name: "北区分局", parent_key: "city", level: "county" },
      { campaign_id: "tour-b", key: "east", name: "丙东区", parent_key: "other-city", level: "county" },
      { campaign_id: "tour-b", key: "other-city", name: "丙市局", parent_key: null, level: "city" },
    ])
    // The copies keep the directory row's creation time.
    const eastA = moved.rows.find((row) => row.campaign_id === "tour-a" && row.key === "east")
    expect(new Date(eastA?.created_at as Date).toISOString()).toBe("2026-01-01T00:00:00.000Z")
    // A parent must be a unit of the same campaign; a principal's unit is an organisation key.
    await expect(
      sql`insert into units (campaign_id, key, name, parent_key) values ('tour-b', 'x', 'x', 'city')`.execute(db),
    ).rejects.toThrow(/foreign key/)
    await sql`insert into principals (id, name, role, unit_key) values ('elsewhere', '外单位', 'unit', 'nowhere')`.execute(
      db,
    )
    await sql`delete from principals where id = 'elsewhere'`.execute(db)

    // Back: one row a key, the one of the campaign deployed last (tour-b names east).
    expect((await migrator.migrateTo(before)).error).toBeUndefined()
    const back = await sql<{ key: string; name: string; parent_key: string | null }>`
      select key, name, parent_key from units order by key`.execute(db)
    expect(back.rows).toEqual([
      { key: "city", name: "甲市局", parent_key: null },
      { key: "east", name: "丙东区", parent_key: "other-city" },
      { key: "north", name: "北区分局", parent_key: "city" },
      { key: "other-city", name: "丙市局", parent_key: null },
    ])
  })
})
