/**
 * Opening the database: a PostgreSQL server when a URL is given, embedded
 * PGlite in a local folder otherwise. Both go through pg's Pool and Kysely's
 * PostgresDialect, so every query runs the same code on both.
 */
import { mkdirSync } from "node:fs"
import { resolve } from "node:path"
import { PGlite } from "@electric-sql/pglite"
import { createPgConfig } from "@electric-sql/pglite/node-postgres"
import { Kysely, PostgresDialect } from "kysely"
import pg from "pg"
import type { Database } from "./Database.ts"

// bigint (int8) as string, never a lossy number; numeric stays a string by default.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => value)

/** Where the database lives. */
export interface StoreOptions {
  /** A PostgreSQL URL; when absent, embedded PGlite. */
  readonly databaseUrl?: string | undefined
  /** The embedded database's folder, or `memory://` for an in-memory one. */
  readonly dataDir?: string | undefined
  /** Connections to a PostgreSQL server (default 10). */
  readonly poolSize?: number | undefined
}

/** An open database. */
export interface Store {
  readonly kind: "pglite" | "postgres"
  readonly db: Kysely<Database>
  /** Calls `onNotify` with each NOTIFY payload on `channel`; returns a function that stops listening. */
  readonly listen: (channel: string, onNotify: (payload: string) => void) => Promise<() => Promise<void>>
  /** Closes the pool (and the embedded database). */
  readonly close: () => Promise<void>
  /** Where the data is, for logs and messages (no password). */
  readonly describe: string
}

/** The one place the environment chooses the database: DATABASE_URL, else LIANDONG_DATA or `.liandong/data`. */
export const storeOptionsFromEnv = (env: NodeJS.ProcessEnv = process.env): StoreOptions => ({
  databaseUrl: env.DATABASE_URL || undefined,
  dataDir: env.LIANDONG_DATA || undefined,
})

const redact = (url: string) => {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = "***"
    return parsed.toString()
  } catch {
    return "postgres"
  }
}

const openPostgres = async (url: string, poolSize: number): Promise<Store> => {
  const pool = new pg.Pool({ connectionString: url, max: poolSize })
  pool.on("error", () => {
    // An idle client lost its connection; the pool replaces it on next use.
  })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const listen = async (channel: string, onNotify: (payload: string) => void) => {
    let client: pg.Client | undefined
    let stopped = false
    const connect = async (): Promise<void> => {
      if (stopped) return
      const next = new pg.Client({ connectionString: url })
      next.on("notification", (message) => {
        if (message.channel === channel) onNotify(message.payload ?? "")
      })
      next.on("error", () => {
        // Reconnect after a lost connection; missed notifications are covered by polling.
        next.end().catch(() => undefined)
        setTimeout(() => void connect().catch(() => undefined), 1000)
      })
      await next.connect()
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
      client = next
    }
    await connect()
    return async () => {
      stopped = true
      await client?.end().catch(() => undefined)
    }
  }
  return { kind: "postgres", db, listen, close: () => db.destroy(), describe: redact(url) }
}

const openEmbedded = async (dataDir: string): Promise<Store> => {
  const inMemory = dataDir.startsWith("memory://")
  const location = inMemory ? dataDir : resolve(dataDir)
  if (!inMemory) mkdirSync(location, { recursive: true })
  const pglite = await PGlite.create(location)
  // PGlite has one connection: a pool of one makes every transaction exclusive.
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 } as pg.PoolConfig)
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const listen = async (channel: string, onNotify: (payload: string) => void) => {
    const unsubscribe = await pglite.listen(channel, onNotify)
    return () => unsubscribe()
  }
  const close = async () => {
    await db.destroy()
    await pglite.close()
  }
  return { kind: "pglite", db, listen, close, describe: inMemory ? "PGlite (in memory)" : `PGlite ${location}` }
}

/** Opens the database the options name. */
export const openStore = (options: StoreOptions = {}): Promise<Store> =>
  options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10)
    : openEmbedded(options.dataDir ?? ".liandong/data")
