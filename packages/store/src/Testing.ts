/**
 * One test suite, both databases: `describeEachDatabase` registers the suite
 * once on an in-memory PGlite and once on a fresh PostgreSQL database (made
 * and dropped by the suite). Without a server the PostgreSQL half is skipped,
 * unless LIANDONG_TEST_PG=required, which makes it fail instead.
 */
import { randomBytes } from "node:crypto"
import { sql } from "kysely"
import pg from "pg"
import { afterAll, beforeAll, beforeEach, describe } from "vitest"
import { migrateToLatest } from "./Migrate.ts"
import { openStore } from "./Open.ts"
import type { Store } from "./Store.ts"

/** The server tests use: LIANDONG_TEST_PG_URL, else the local one. */
export const testServerUrl = (): string => process.env.LIANDONG_TEST_PG_URL ?? "postgres://root@127.0.0.1:5432/postgres"

const required = () => process.env.LIANDONG_TEST_PG === "required"

/** True when the test server answers; throws when it does not and PostgreSQL tests are required. */
export const postgresAvailable = async (): Promise<boolean> => {
  const client = new pg.Client({ connectionString: testServerUrl(), connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    return true
  } catch (error) {
    if (required())
      throw new Error(`LIANDONG_TEST_PG=required but ${testServerUrl()} does not answer`, { cause: error })
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

let checked: Promise<boolean> | undefined
/** One reachability check per test file. */
const serverCheck = () => {
  checked ??= postgresAvailable()
  return checked
}

/** Creates an empty database on the test server; `drop()` removes it. */
export const createTestDatabase = async (): Promise<{ url: string; drop: () => Promise<void> }> => {
  const name = `liandong_test_${randomBytes(6).toString("hex")}`
  const admin = new pg.Client({ connectionString: testServerUrl() })
  await admin.connect()
  try {
    await admin.query(`create database ${pg.escapeIdentifier(name)}`)
  } finally {
    await admin.end()
  }
  const url = new URL(testServerUrl())
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: testServerUrl() })
      await client.connect()
      try {
        await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`)
      } finally {
        await client.end()
      }
    },
  }
}

/** Empties every table of the schema and restarts the id sequences (bypassing the append-only guards, as a superuser can). */
export const resetStore = async (store: Store): Promise<void> => {
  await store.db.transaction().execute(async (tx) => {
    const { rows } = await sql<{ name: string }>`
      select quote_ident(tablename) as name from pg_tables
      where schemaname = current_schema() and tablename not like 'kysely_migration%'`.execute(tx)
    if (rows.length === 0) return
    await sql`set local session_replication_role = replica`.execute(tx)
    await sql.raw(`truncate ${rows.map((row) => row.name).join(", ")} restart identity cascade`).execute(tx)
  })
}

/** What a suite sees: the database it runs on. */
export interface DatabaseContext {
  readonly kind: "pglite" | "postgres"
  /** The open, migrated store (emptied before each test). */
  readonly store: () => Store
  /** The PostgreSQL database's URL, for processes a test starts; undefined on PGlite. */
  readonly databaseUrl: () => string | undefined
}

interface Opened {
  readonly store: Store
  readonly url: string | undefined
  readonly cleanup: () => Promise<void>
}

/** How a suite treats its database between tests. */
export interface SuiteOptions {
  /** Empty every table before each test (default true); false keeps what a `beforeAll` seeded. */
  readonly resetEach?: boolean
}

const suite = (
  kind: "pglite" | "postgres",
  title: string,
  body: (ctx: DatabaseContext) => void,
  open: () => Promise<Opened>,
  options: SuiteOptions = {},
) => {
  let opened: Opened | undefined
  const current = () => {
    if (opened === undefined) throw new Error(`${title}: the ${kind} store did not open (see the beforeAll error)`)
    return opened
  }
  beforeAll(async () => {
    opened = await open()
    await migrateToLatest(opened.store.db)
  }, 120_000)
  beforeEach(async () => {
    if (opened && options.resetEach !== false) await resetStore(opened.store)
  })
  afterAll(async () => {
    await opened?.cleanup()
  })
  body({ kind, store: () => current().store, databaseUrl: () => current().url })
}

const openPglite = async (): Promise<Opened> => {
  const store = await openStore({ dataDir: "memory://" })
  return { store, url: undefined, cleanup: () => store.close() }
}

const openPostgres = async (): Promise<Opened> => {
  const database = await createTestDatabase()
  try {
    const store = await openStore({ databaseUrl: database.url, poolSize: 4 })
    return {
      store,
      url: database.url,
      cleanup: async () => {
        await store.close()
        await database.drop()
      },
    }
  } catch (error) {
    await database.drop()
    throw error
  }
}

/**
 * Registers `body` twice: `[pglite] title` on an in-memory PGlite, and `[postgres] title`
 * on a fresh database of the test server (skipped, test by test, when it does not answer).
 */
export const describeEachDatabase = (
  title: string,
  body: (ctx: DatabaseContext) => void,
  options: SuiteOptions = {},
): void => {
  describe(`[pglite] ${title}`, () => suite("pglite", title, body, openPglite, options))
  const hasServer = serverCheck()
  describe(`[postgres] ${title}`, async () => {
    if (await hasServer) suite("postgres", title, body, openPostgres, options)
    else
      describe.skip(`PostgreSQL at ${testServerUrl()} does not answer`, () =>
        suite("postgres", title, body, openPostgres, options))
  })
}
