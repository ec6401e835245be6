/**
 * A migration that changes a table under a prepared `select *` (a new version deployed while
 * this one runs) costs a transaction one retry, never an error: PostgreSQL refuses the stale
 * statement, the store forgets its names, and `transaction` runs the body again.
 */
import { openStore, type Store } from "@liandong/store"
import { createTestDatabase, postgresAvailable } from "@liandong/store/testing"
import { Effect } from "effect"
import { sql } from "kysely"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Db, query, transaction } from "../src/Db.ts"

const available = await postgresAvailable()

describe.skipIf(!available)("a stale prepared statement", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  let store: Store
  beforeAll(async () => {
    database = await createTestDatabase()
    store = await openStore({ databaseUrl: database.url, poolSize: 1 })
    await sql`create table figures (id int primary key, value text)`.execute(store.db)
    await sql`insert into figures values (1, 'a')`.execute(store.db)
  })
  afterAll(async () => {
    await store?.close()
    await database?.drop()
  })

  it("is retried by the transaction, which then sees the new column", async () => {
    let attempts = 0
    const read = transaction("figures.read", (tx) => {
      attempts++
      return query("figures.select", (db) => sql`select * from figures where id = ${1}`.execute(db), tx)
    })
    const run = () => Effect.runPromise(Effect.provide(read, Db.fromStore(store)))
    await run()
    await run()
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    await client.query("alter table figures add column note text")
    await client.end()
    attempts = 0
    const result = await run()
    expect(result.rows).toEqual([{ id: 1, value: "a", note: null }])
    expect(attempts).toBe(2)
  })
})
