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
import { openStore, type Store } from "./Store.ts"

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

const tables = [
  "tokens",
  "checkpoints",
  "summaries",
  "notifications",
  "command_results",
  "report_figures",
  "reports",
  "messages",
  "timers",
  "journal",
  "tasks",
  "machines",
  "campaigns",
  "definitions",
  "principals",
  "units",
]

/** Empties every table and restarts the id sequences (the append-only guards are bypassed, as a superuser can). */
export const resetStore = async (store: Store): Promise<void> => {
  await store.db.transaction().execute(async (tx) => {
    await sql`set local session_replication_role = replica`.execute(tx)
    await sql.raw(`truncate ${tables.join(", ")} restart identity cascade`).execute(tx)
  })
}

/** What a suite sees: the store of the database it runs on. */
export interface DatabaseContext {
  readonly kind: "pglite" | "postgres"
  readonly store: () => Store
}

const suite = (
  kind: "pglite" | "postgres",
  title: string,
  body: (ctx: DatabaseContext) => void,
  open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>,
) => {
  let opened: { store: Store; cleanup: () => Promise<void> } | undefined
  beforeAll(async () => {
    opened = await open()
    await migrateToLatest(opened.store.db)
  }, 120_000)
  beforeEach(async () => {
    if (opened) await resetStore(opened.store)
  })
  afterAll(async () => {
    await opened?.cleanup()
  })
  body({
    kind,
    store: () => {
      if (opened === undefined) throw new Error(`${title}: the ${kind} store is not open`)
      return opened.store
    },
  })
}

/** Registers `body` twice: `[pglite] title` and `[postgres] title`. */
export const describeEachDatabase = (title: string, body: (ctx: DatabaseContext) => void): void => {
  describe(`[pglite] ${title}`, () =>
    suite("pglite", title, body, async () => {
      const store = await openStore({ dataDir: "memory://" })
      return { store, cleanup: () => store.close() }
    }))
  const hasServer = postgresAvailable()
  describe(`[postgres] ${title}`, async () => {
    if (!(await hasServer)) {
      describe.skip("PostgreSQL is not reachable", () => undefined)
      return
    }
    suite("postgres", title, body, async () => {
      const database = await createTestDatabase()
      const store = await openStore({ databaseUrl: database.url, poolSize: 4 })
      return {
        store,
        cleanup: async () => {
          await store.close()
          await database.drop()
        },
      }
    })
  })
}
