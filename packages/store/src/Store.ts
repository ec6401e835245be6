/**
 * What an open database is (`Store`) and where it lives (`StoreOptions`): the
 * contract `openStore` and the two openers in `internal/` share.
 */
import type { Kysely } from "kysely"
import type { Database } from "./Database.ts"

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
