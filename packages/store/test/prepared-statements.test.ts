/**
 * Named prepared statements on PostgreSQL: a text is named the second time it is sent, each
 * connection prepares it once, marked statements and texts past the limit go unnamed, and
 * a schema change under a prepared `select *` fails once and then works under a new name.
 */
import { sql } from "kysely"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  genericPlan,
  isStalePlan,
  openStore,
  plannedEachTime,
  SettingInvalid,
  type Store,
  storeOptionsFromEnv,
} from "../src/index.ts"
import { StatementNames } from "../src/internal/PreparedStatements.ts"
import { createTestDatabase, postgresAvailable } from "../src/Testing.ts"

describe("statement names", () => {
  it("name a text the second time it is seen, and keep that name", () => {
    const names = new StatementNames()
    expect(names.nameOf("select $1")).toBeUndefined()
    const name = names.nameOf("select $1")
    expect(name).toMatch(/^liandong_0_\d+$/)
    expect(names.nameOf("select $1")).toBe(name)
    expect(names.nameOf("select $2")).toBeUndefined()
  })

  it("never name a statement planned each time", () => {
    const names = new StatementNames()
    const text = `${plannedEachTime} select * from timers where due_at <= $1`
    for (let i = 0; i < 5; i++) expect(names.nameOf(text)).toBeUndefined()
    expect(names.size).toBe(0)
  })

  it("stop naming at the limit, and name anew after forgetting", () => {
    const names = new StatementNames(2)
    for (const text of ["a", "b", "c"]) {
      names.nameOf(text)
      names.nameOf(text)
    }
    expect(names.size).toBe(2)
    expect(names.nameOf("c")).toBeUndefined()
    const before = names.nameOf("a")
    names.forget()
    expect(names.nameOf("a")).toBeUndefined()
    const after = names.nameOf("a")
    expect(after).toMatch(/^liandong_1_/)
    expect(after).not.toBe(before)
  })

  it("are on unless DATABASE_PREPARED_STATEMENTS says off; another value is refused by name", () => {
    expect(storeOptionsFromEnv({}).preparedStatements).toBeUndefined()
    expect(storeOptionsFromEnv({ DATABASE_PREPARED_STATEMENTS: "off" }).preparedStatements).toBe(false)
    expect(storeOptionsFromEnv({ DATABASE_PREPARED_STATEMENTS: "on" }).preparedStatements).toBe(true)
    try {
      storeOptionsFromEnv({ DATABASE_PREPARED_STATEMENTS: "yes" })
      expect.unreachable("a bad value is refused")
    } catch (error) {
      expect(error).toBeInstanceOf(SettingInvalid)
      expect((error as SettingInvalid).variable).toBe("DATABASE_PREPARED_STATEMENTS")
      expect((error as SettingInvalid).zh).toContain("须为 on 或 off")
    }
  })
})

const available = await postgresAvailable()

describe.skipIf(!available)("prepared statements on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  const opened: Store[] = []
  const open = async (preparedStatements: boolean) => {
    // One connection: what it prepared is what pg_prepared_statements shows.
    const store = await openStore({ databaseUrl: database.url, poolSize: 1, preparedStatements })
    opened.push(store)
    return store
  }
  const prepared = async (store: Store) =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(store.db)).rows.map(
      (row) => row.statement,
    )

  beforeAll(async () => {
    database = await createTestDatabase()
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    await client.query("create table figures (id int primary key, value text); insert into figures values (1, 'a')")
    await client.end()
  })
  afterAll(async () => {
    for (const store of opened) await store.close()
    await database?.drop()
  })

  it("prepare a statement sent again, once a connection, with the same answers", async () => {
    const store = await open(true)
    const select = () =>
      store.db
        .selectFrom("figures" as never)
        .selectAll()
        .where("id" as never, "=", 1 as never)
    for (let i = 0; i < 4; i++) expect(await select().execute()).toEqual([{ id: 1, value: "a" }])
    const statements = await prepared(store)
    expect(statements.filter((text) => text.includes('from "figures"'))).toHaveLength(1)
    const marked = sql`${sql.raw(plannedEachTime)} select value from figures where id = ${1}`
    for (let i = 0; i < 3; i++) await marked.execute(store.db)
    expect((await prepared(store)).some((text) => text.startsWith(plannedEachTime))).toBe(false)
  })

  it("keep a marked statement's generic plan from its first use, for its transaction only", async () => {
    const store = await open(true)
    const plans = async () =>
      (
        await sql<{
          generic: string
          custom: string
        }>`select generic_plans::text as generic, custom_plans::text as custom
          from pg_prepared_statements where statement like ${`${genericPlan}%`}`.execute(store.db)
      ).rows
    const settings: string[] = []
    for (let i = 0; i < 4; i++) {
      const tx = await store.db.startTransaction().execute()
      const first = await sql<{
        mode: string
      }>`${sql.raw(genericPlan)} select current_setting('plan_cache_mode') as mode,
        value from figures where id = ${1}`.execute(tx)
      const next = await sql<{ mode: string }>`select current_setting('plan_cache_mode') as mode`.execute(tx)
      await tx.commit().execute()
      settings.push(first.rows[0]?.mode ?? "", next.rows[0]?.mode ?? "")
    }
    expect(new Set(settings)).toEqual(new Set(["force_generic_plan"]))
    // PostgreSQL's own choice plans a prepared statement afresh five times before it weighs a generic plan.
    expect(await plans()).toEqual([{ generic: "3", custom: "0" }])
    const after = await sql<{ mode: string }>`select current_setting('plan_cache_mode') as mode`.execute(store.db)
    expect(after.rows[0]?.mode).toBe("auto")
  })

  it("send one query at a time on a connection, the generic plans' setting included", async () => {
    // pg 8 queues a query sent while another is in flight and warns that pg 9 will not.
    const store = await open(true)
    const query = pg.Client.prototype.query
    const overlapping: string[] = []
    pg.Client.prototype.query = function (this: pg.Client & Record<string, any>, ...args: any[]) {
      if (this._activeQuery || this._queryQueue.length > 0) overlapping.push(String(args[0]?.text ?? args[0]))
      return (query as (...a: any[]) => any).apply(this, args)
    } as typeof query
    const modes: string[] = []
    try {
      // A fresh connection's first transaction: `begin`, the setting and the statement each go alone.
      for (let i = 0; i < 2; i++) {
        const tx = await store.db.startTransaction().execute()
        const first = await sql<{ mode: string }>`${sql.raw(genericPlan)} select current_setting('plan_cache_mode')
          as mode, value from figures where id = ${1}`.execute(tx)
        await tx.commit().execute()
        modes.push(first.rows[0]?.mode ?? "")
      }
    } finally {
      pg.Client.prototype.query = query
    }
    expect(overlapping).toEqual([])
    expect(modes).toEqual(["force_generic_plan", "force_generic_plan"])
  })

  it("prepare nothing when turned off", async () => {
    const store = await open(false)
    for (let i = 0; i < 3; i++) await sql`select value from figures where id = ${1}`.execute(store.db)
    expect(await prepared(store)).toEqual([])
  })

  it("fail once with a retryable error when a migration changes a prepared select *, then work", async () => {
    const store = await open(true)
    const select = () => sql`select * from figures where id = ${1}`.execute(store.db)
    await select()
    await select()
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    await client.query("alter table figures add column note text")
    await client.end()
    const failure = await select().then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(isStalePlan(failure)).toBe(true)
    expect((await select()).rows).toEqual([{ id: 1, value: "a", note: null }])
  })
})
