import { sql } from "kysely"
import { Migrator, NO_MIGRATIONS } from "kysely/migration"
import { expect, it } from "vitest"
import { type Database, migrateToLatest, migrations } from "../src/index.ts"
import { describeEachDatabase } from "../src/Testing.ts"

/** Every table Database.ts describes (the compiler keeps this list complete). */
const tables = Object.keys({
  units: true,
  principals: true,
  definitions: true,
  campaigns: true,
  machines: true,
  tasks: true,
  journal: true,
  timers: true,
  messages: true,
  reports: true,
  report_figures: true,
  attachment_contents: true,
  attachments: true,
  report_attachments: true,
  command_results: true,
  notifications: true,
  deliveries: true,
  notice_preferences: true,
  webhooks: true,
  summaries: true,
  checkpoints: true,
  tokens: true,
  signing_keys: true,
  denials: true,
  credentials: true,
  invitations: true,
  sessions: true,
  people_log: true,
  second_factors: true,
  recovery_codes: true,
} satisfies Record<keyof Database, true>).sort()

const tablesInDatabase = async (db: Parameters<typeof migrateToLatest>[0]) =>
  (
    await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_name not like 'kysely_migration%'
      order by table_name`.execute(db)
  ).rows.map((row) => row.name)

describeEachDatabase("migrations", (ctx) => {
  it("have applied every migration, in order", async () => {
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(ctx.store().db)
    expect(applied.rows.map((row) => row.name)).toEqual(Object.keys(migrations))
  })

  it("create exactly the tables Database.ts describes", async () => {
    expect(await tablesInDatabase(ctx.store().db)).toEqual(tables)
  })

  it("are idempotent: migrating again applies nothing", async () => {
    expect(await migrateToLatest(ctx.store().db)).toEqual({ applied: [] })
  })

  it("refuse a database that holds a migration this code does not know, though nothing is pending", async () => {
    const { db } = ctx.store()
    await sql`insert into kysely_migration (name, timestamp) values ('9999_from_a_newer_release', now()::text)`.execute(
      db,
    )
    try {
      await expect(migrateToLatest(db)).rejects.toThrow(/9999_from_a_newer_release/u)
    } finally {
      await sql`delete from kysely_migration where name = '9999_from_a_newer_release'`.execute(db)
    }
    expect(await migrateToLatest(db)).toEqual({ applied: [] })
  })

  it("apply the newest when only it is missing", async () => {
    const { db } = ctx.store()
    const names = Object.keys(migrations)
    const last = names[names.length - 1] as string
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
    expect((await migrator.migrateDown()).error).toBeUndefined()
    expect((await migrateToLatest(db)).applied).toEqual([last])
  })

  it("can all be undone and redone", async () => {
    const { db } = ctx.store()
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
    const down = await migrator.migrateTo(NO_MIGRATIONS)
    expect(down.error).toBeUndefined()
    expect(await tablesInDatabase(db)).toEqual([])
    expect((await migrateToLatest(db)).applied).toEqual(Object.keys(migrations))
    expect(await tablesInDatabase(db)).toEqual(tables)
  })
})
