/**
 * Opening the database: a PostgreSQL server when a URL is given, embedded
 * PGlite in a local folder otherwise. Both go through pg's Pool and Kysely's
 * PostgresDialect, so every query runs the same code on both.
 */
import type { Kysely } from "kysely"
import pg from "pg"
import type { Database } from "./Database.ts"
import { openPglite } from "./internal/openPglite.ts"
import { openPostgres } from "./internal/openPostgres.ts"

// int8 (bigserial ids, count(*), sum of integers) as a string, never a lossy number; this is
// pg's default, pinned here because the ids' types depend on it. numeric stays a string too.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => value)

/** Where the database lives. */
export interface StoreOptions {
  /** A PostgreSQL URL; when absent, embedded PGlite. */
  readonly databaseUrl?: string | undefined
  /** The embedded database's folder (default `.liandong/data` under the working directory), or `memory://`. */
  readonly dataDir?: string | undefined
  /** Connections to a PostgreSQL server (default 10); PGlite always has one. */
  readonly poolSize?: number | undefined
  /** Receives the store's own operational messages (lost connections, reconnects); silent by default. */
  readonly log?: ((message: string) => void) | undefined
}

/** An open database. */
export interface Store {
  /** Which database this is. */
  readonly kind: "pglite" | "postgres"
  /** The Kysely handle for every query. */
  readonly db: Kysely<Database>
  /**
   * Calls `onNotify` with each NOTIFY payload on `channel` (a lowercase identifier);
   * resolves once listening, to a function that stops. Send with `select pg_notify(channel, payload)`.
   */
  readonly listen: (channel: string, onNotify: (payload: string) => void) => Promise<() => Promise<void>>
  /** Closes the pool (and the embedded database). */
  readonly close: () => Promise<void>
  /** Where the data is, for logs and messages (no password). */
  readonly describe: string
}

/** The default embedded data folder, relative to the working directory. */
export const defaultDataDir = ".liandong/data"

/** The one place the environment chooses the database: DATABASE_URL, else LIANDONG_DATA or `.liandong/data`. */
export const storeOptionsFromEnv = (env: NodeJS.ProcessEnv = process.env): StoreOptions => ({
  databaseUrl: env.DATABASE_URL || undefined,
  dataDir: env.LIANDONG_DATA || undefined,
})

/** Opens the database the options name (PostgreSQL for a URL, else PGlite); with no argument, the environment's. */
export const openStore = (options: StoreOptions = storeOptionsFromEnv()): Promise<Store> => {
  const log = options.log ?? (() => undefined)
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10, log)
    : openPglite(options.dataDir ?? defaultDataDir, log)
}
