/** Bringing a database's schema up to date. */
import type { Kysely } from "kysely"
import { Migrator } from "kysely/migration"
import type { Database } from "./Database.ts"
import { migrations } from "./migrations/index.ts"

/** Applies every pending migration; fails with the first error. */
export const migrateToLatest = async (db: Kysely<Database>): Promise<{ applied: string[] }> => {
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
