/**
 * Opening the database: a PostgreSQL server when a URL or its settings are
 * given, embedded PGlite in a local folder otherwise. Both go through pg's Pool and Kysely's
 * PostgresDialect, so every query runs the same code on both.
 */
import pg from "pg"
import { openPglite } from "./internal/OpenPglite.ts"
import { openPostgres } from "./internal/OpenPostgres.ts"
import { storeOptionsFromEnv } from "./Settings.ts"
import { defaultDataDir, type Store, type StoreOptions } from "./Store.ts"

// int8 (bigserial ids, count(*), sum of integers) as a string, never a lossy number; this is
// pg's default, pinned here because the ids' types depend on it. numeric stays a string too.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => value)

/** Opens the database the options name (PostgreSQL for a URL or settings, else PGlite); with no argument, the environment's. */
export const openStore = async (given?: StoreOptions): Promise<Store> => {
  const options = given ?? storeOptionsFromEnv()
  const log = options.log ?? (() => undefined)
  const pool = { size: options.poolSize ?? 10, prepared: options.preparedStatements ?? true }
  if (options.databaseUrl) return openPostgres({ url: options.databaseUrl }, pool, log)
  if (options.postgres !== undefined) return openPostgres(options.postgres, pool, log)
  return openPglite(options.dataDir ?? defaultDataDir, pool.prepared, log)
}
