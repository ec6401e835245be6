/** Bringing a database's schema up to date. */
import { type Kysely, sql } from "kysely"
import { Migrator } from "kysely/migration"
import type { Database } from "./Database.ts"
import { migrations } from "./migrations/index.ts"

/**
 * True when the database holds exactly the migrations this code knows, the newest last: two reads,
 * no lock. Kysely's migrator takes a lock and runs DDL at every open even when nothing is pending,
 * which every CLI command on the embedded database paid (about 180 ms of CPU).
 */
const upToDate = async (db: Kysely<Database>): Promise<boolean> => {
  const names = Object.keys(migrations).sort()
  const exists = await sql<{ found: string | null }>`select to_regclass('kysely_migration')::text as found`.execute(db)
  if (exists.rows[0]?.found == null) return false
  const applied = await sql<{ count: number; newest: string | null }>`
    select count(*)::int as count, max(name) as newest from kysely_migration`.execute(db)
  const row = applied.rows[0]
  return row !== undefined && row.count === names.length && row.newest === names[names.length - 1]
}

/** Applies every pending migration; fails with the first error. */
export const migrateToLatest = async (db: Kysely<Database>): Promise<{ applied: string[] }> => {
  // A database newer than this code differs in count or newest name, so the migrator still refuses it.
  if (await upToDate(db).catch(() => false)) return { applied: [] }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName
    throw new Error(`migration ${failed ?? "?"} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    })
  }
  return { applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName) }
}
