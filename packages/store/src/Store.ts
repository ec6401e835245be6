/**
 * What an open database is (`Store`) and where it lives (`StoreOptions`): the
 * contract `openStore` and the two openers in `internal/` share.
 */
import type { Kysely } from "kysely"
import type { Database } from "./Database.ts"

/** A PostgreSQL server named setting by setting: no URL, so the password needs no encoding. */
export interface PostgresConnection {
  readonly host: string
  readonly port: number
  readonly database: string
  readonly user: string
  readonly password?: string | undefined
  /** TLS: `disable` (the default), `require` (encrypted, the certificate not checked) or `verify-full`. */
  readonly sslMode?: "disable" | "require" | "verify-full" | undefined
}

/** Where the database lives. */
export interface StoreOptions {
  /** A PostgreSQL URL (its password percent-encoded); it wins over `postgres`. */
  readonly databaseUrl?: string | undefined
  /** A PostgreSQL server by its settings; with neither this nor a URL, embedded PGlite. */
  readonly postgres?: PostgresConnection | undefined
  /** The embedded database's folder (default `.liandong/data` under the working directory), or `memory://`. */
  readonly dataDir?: string | undefined
  /** Connections to a PostgreSQL server (default 10); PGlite always has one. */
  readonly poolSize?: number | undefined
  /**
   * Named prepared statements for the statements sent again and again (default true), on
   * PostgreSQL and the embedded database alike; false for a pooler that cannot keep them.
   */
  readonly preparedStatements?: boolean | undefined
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
   * resolves once listening, to a function that stops. Send with `wake` (or `pg_notify`).
   */
  readonly listen: (channel: string, onNotify: (payload: string) => void) => Promise<() => Promise<void>>
  /**
   * NOTIFY on `channel` with each payload, after the work it announces has committed: queued and
   * sent in a transaction of its own that does not wait for its flush, never inside the work's
   * (`internal/Wake.ts`). Not awaited: a wake-up lost to a crash is found by the listener's next look.
   */
  readonly wake: (channel: string, payloads: Iterable<string>) => void
  /** Closes the pool (and the embedded database). */
  readonly close: () => Promise<void>
  /** Where the data is, for logs and messages (no password). */
  readonly describe: string
}

/** The default embedded data folder, relative to the working directory. */
export const defaultDataDir = ".liandong/data"

/** True when the options name a PostgreSQL server (a URL or settings), false for the embedded database. */
export const isPostgres = (options: StoreOptions): boolean =>
  Boolean(options.databaseUrl) || options.postgres !== undefined
