/**
 * Opening the database: a PostgreSQL server when a URL is given, embedded
 * PGlite in a local folder otherwise. Both go through pg's Pool and Kysely's
 * PostgresDialect, so every query runs the same code on both.
 */
import pg from "pg"
import { openPglite } from "./internal/OpenPglite.ts"
import { openPostgres } from "./internal/OpenPostgres.ts"
import { defaultDataDir, type Store, type StoreOptions, storeOptionsFromEnv } from "./Store.ts"

// int8 (bigserial ids, count(*), sum of integers) as a string, never a lossy number; this is
// pg's default, pinned here because the ids' types depend on it. numeric stays a string too.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => value)

/** Opens the database the options name (PostgreSQL for a URL, else PGlite); with no argument, the environment's. */
export const openStore = (options: StoreOptions = storeOptionsFromEnv()): Promise<Store> => {
  const log = options.log ?? (() => undefined)
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10, log)
    : openPglite(options.dataDir ?? defaultDataDir, log)
}
