/**
 * Where no autovacuum runs, the worker's upkeep does its work: a table past autovacuum's
 * thresholds is vacuumed and analyzed, and a plan the planner made while a table was empty is
 * made again once the table has grown.
 */
import { openStore, type Store } from "@liandong/store"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import { sql } from "kysely"
import pg from "pg"
import { expect, it } from "vitest"
import { Db } from "../src/Db.ts"
import { upkeepRound } from "../src/worker/Upkeep.ts"
import { runWorker } from "../src/worker/Worker.ts"
import { testEngine } from "./support.ts"

const roundDone = (store: Store) => Effect.runPromise(Effect.provide(upkeepRound, Db.fromStore(store)))
const round = async (store: Store) => (await roundDone(store)).tables

interface TableStats {
  readonly dead: number
  readonly changed: number
  readonly vacuumed: boolean
  readonly analyzed: boolean
}

const statsOf = async (store: Store, table: string): Promise<TableStats> => {
  const { rows } = await sql<TableStats>`
    select n_dead_tup::int as dead, n_mod_since_analyze::int as changed,
      last_vacuum is not null as vacuumed, last_analyze is not null as analyzed
    from pg_stat_user_tables where relname = ${table}`.execute(store.db)
  return rows[0] as TableStats
}

// A backend reports its counts when idle, at most once a second: asked until they show.
const statsShow = async (store: Store, table: string, enough: (stats: TableStats) => boolean, tries = 600) => {
  for (let tried = 0; tried < tries; tried++) {
    if (enough(await statsOf(store, table))) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the statistics of ${table} never showed the changes`)
}

// Whether autovacuum maintains this database, in which case the upkeep leaves it alone.
const autovacuumRuns = async (store: Store) =>
  store.kind === "postgres" &&
  (await sql<{ on: boolean }>`select current_setting('autovacuum') = 'on' as on`.execute(store.db)).rows[0]?.on === true

describeEachDatabase("the worker's upkeep", (ctx) => {
  it("vacuums and analyzes a table past autovacuum's thresholds, and leaves the others", async () => {
    const store = ctx.store()
    await sql`create table churn (id int primary key, value int)`.execute(store.db)
    await sql`create table quiet (id int primary key, value int)`.execute(store.db)
    await sql`insert into churn select n, n from generate_series(1, 1000) n`.execute(store.db)
    await sql`insert into quiet select n, n from generate_series(1, 1000) n`.execute(store.db)
    // The inserts reported before the analyze, or they would count as changes after it.
    await statsShow(store, "churn", (stats) => stats.changed >= 1000)
    await statsShow(store, "quiet", (stats) => stats.changed >= 1000)
    await sql`analyze churn, quiet`.execute(store.db)
    // 300 dead of 1,000 rows: past 50 + 20 % (vacuum) and 50 + 10 % (analyze). 10: past neither.
    await sql`update churn set value = value + 1 where id <= 300`.execute(store.db)
    await sql`update quiet set value = value + 1 where id <= 10`.execute(store.db)
    await statsShow(store, "churn", (stats) => stats.dead >= 300)
    await statsShow(store, "quiet", (stats) => stats.dead >= 10)

    const done = await round(store)
    if (await autovacuumRuns(store)) {
      expect(done).toEqual([])
      return
    }
    expect(done.find((table) => table.table === "churn")).toEqual({ table: "churn", vacuum: true, analyze: true })
    expect(done.find((table) => table.table === "quiet")).toBeUndefined()
    const churn = await statsOf(store, "churn")
    expect(churn).toMatchObject({ dead: 0, changed: 0, vacuumed: true, analyzed: true })
    expect((await statsOf(store, "quiet")).dead).toBe(10)
  })

  it("follows a table's own autovacuum settings, as the queues have them", async () => {
    const store = ctx.store()
    const { rows } = await sql<{ options: string[] }>`
      select reloptions as options from pg_class where relname = 'messages'`.execute(store.db)
    expect(rows[0]?.options).toContain("autovacuum_vacuum_scale_factor=0.01")
    await sql`create table brisk (id int primary key, value int)
      with (autovacuum_vacuum_threshold = 10, autovacuum_vacuum_scale_factor = 0)`.execute(store.db)
    await sql`insert into brisk select n, n from generate_series(1, 1000) n`.execute(store.db)
    await statsShow(store, "brisk", (stats) => stats.changed >= 1000)
    await sql`analyze brisk`.execute(store.db)
    // 20 dead of 1,000: under the default 50 + 20 %, past this table's 10 + 0 %.
    await sql`update brisk set value = value + 1 where id <= 20`.execute(store.db)
    await statsShow(store, "brisk", (stats) => stats.dead >= 20)
    const done = await round(store)
    if (await autovacuumRuns(store)) return
    expect(done.find((table) => table.table === "brisk")).toEqual({ table: "brisk", vacuum: true, analyze: false })
    // Vacuumed, not analyzed: its analyze was not due, and its changes still count toward it.
    expect(await statsOf(store, "brisk")).toMatchObject({ dead: 0, vacuumed: true })
    expect((await statsOf(store, "brisk")).changed).toBeGreaterThanOrEqual(20)
  })

  it("analyzes the machines after a deployment and after steps as many as they are, not at every tenth", async () => {
    const store = ctx.store()
    if (await autovacuumRuns(store)) return
    const definition = await sql<{ id: string }>`
      insert into definitions (key, version, hash, body) values ('c', 1, 'hash-c', '{}') returning id`.execute(store.db)
    await sql`insert into campaigns (id, definition_id, status, journal_head)
      values ('c', ${definition.rows[0]?.id}, 'deployed', null)`.execute(store.db)
    await sql`insert into machines (campaign_id, kind, unit_key, snapshot, version, machine_hash, phase, status,
        overdue, updated_at)
      select 'c', 'unit', 'u' || n, '{}', 1, 'h', null, 'waiting', false, now() from generate_series(1, 1000) n`.execute(
      store.db,
    )
    await statsShow(store, "machines", (stats) => stats.changed >= 1000)
    const machines = async () => (await round(store)).find((table) => table.table === "machines")
    // The deployment: analyzed at once.
    expect(await machines()).toMatchObject({ analyze: true })
    // A fifth of them stepped: past the default 50 + 10 %, under this table's 50 + 100 %.
    await sql`update machines set status = 'open' where unit_key in (select 'u' || n from generate_series(1, 200) n)`.execute(
      store.db,
    )
    await statsShow(store, "machines", (stats) => stats.changed >= 200)
    expect(await machines()).toBeUndefined()
    await sql`update machines set status = 'open' where unit_key in (select 'u' || n from generate_series(101, 1000) n)`.execute(
      store.db,
    )
    await statsShow(store, "machines", (stats) => stats.changed >= 1100)
    expect(await machines()).toMatchObject({ analyze: true })
  })

  it("analyzes the journal as it doubles, as it is only appended to", async () => {
    const { rows } = await sql<{ options: string[] | null }>`
      select reloptions as options from pg_class where relname = 'journal'`.execute(ctx.store().db)
    expect(rows[0]?.options).toContain("autovacuum_analyze_scale_factor=1")
  })

  it("keeps the pages of the campaigns' heads when it vacuums them", async () => {
    const { rows } = await sql<{ options: string[] | null }>`
      select reloptions as options from pg_class where relname = 'campaigns'`.execute(ctx.store().db)
    expect(rows[0]?.options).toContain("vacuum_truncate=off")
  })

  it("has a foreign key's check, planned while its table was empty, planned again once it grew", async () => {
    // One connection throughout, so the check's plan is the one that connection keeps.
    const url = ctx.databaseUrl()
    const store = url === undefined ? ctx.store() : await openStore({ databaseUrl: url, poolSize: 1 })
    try {
      if (await autovacuumRuns(store)) return
      await sql`create table parent (id int primary key)`.execute(store.db)
      await sql`create table child (id int primary key, parent_id int not null references parent (id))`.execute(
        store.db,
      )
      // Analyzed while empty, as the bench's tables are after a phase opens: the check scans.
      await sql`analyze parent`.execute(store.db)
      await sql`insert into parent values (1)`.execute(store.db)
      await sql`insert into child values (1, 1)`.execute(store.db)
      await sql`insert into parent select n from generate_series(2, 20000) n`.execute(store.db)
      const scansOfParent = () =>
        store.db.transaction().execute(async (tx) => {
          await sql`insert into child select max(id) + 1, 7 from child`.execute(tx)
          const { rows } = await sql<{ seq: number; index: number }>`
            select seq_scan::int as seq, idx_scan::int as index from pg_stat_xact_user_tables where relname = 'parent'`.execute(
            tx,
          )
          return rows[0]
        })
      expect((await scansOfParent())?.seq).toBeGreaterThan(0)
      await statsShow(store, "parent", (stats) => stats.changed >= 20000)

      const done = await round(store)
      expect(done.find((table) => table.table === "parent")).toMatchObject({ analyze: true })
      const after = await scansOfParent()
      expect(after?.seq).toBe(0)
      expect(after?.index).toBeGreaterThan(0)
    } finally {
      if (url !== undefined) await store.close()
    }
  })

  it("paces its work as autovacuum does on PostgreSQL, and gives the connection back unpaced", async () => {
    // One connection throughout, so that what the round set and reset is what the next statement meets.
    const url = ctx.databaseUrl()
    const store = url === undefined ? ctx.store() : await openStore({ databaseUrl: url, poolSize: 1 })
    try {
      if (await autovacuumRuns(store)) return
      await sql`create table paced (id int primary key, value int)`.execute(store.db)
      await sql`insert into paced select n, n from generate_series(1, 1000) n`.execute(store.db)
      await statsShow(store, "paced", (stats) => stats.changed >= 1000)
      const done = await roundDone(store)
      expect(done.tables.find((table) => table.table === "paced")).toMatchObject({ analyze: true })
      expect((await statsOf(store, "paced")).analyzed).toBe(true)
      // PGlite is one thread: a rest there would hold up everything, so it runs unpaced.
      if (url === undefined) {
        expect(done.pace).toBeNull()
        return
      }
      const { rows } = await sql<{ name: string; setting: string; unit: string | null; unchanged: boolean }>`
        select name, setting, unit, setting = reset_val as unchanged from pg_settings
        where name in ('autovacuum_vacuum_cost_delay', 'vacuum_cost_delay', 'vacuum_cost_limit')`.execute(store.db)
      const setting = (name: string) => rows.find((row) => row.name === name)
      const autovacuum = setting("autovacuum_vacuum_cost_delay")
      // The server's own pace for autovacuum (2 ms unless configured otherwise), as this session showed it.
      const expected =
        autovacuum?.setting === "-1" ? undefined : `${autovacuum?.setting}${autovacuum?.unit === "ms" ? "ms" : ""}`
      if (expected !== undefined) expect(done.pace).toBe(expected)
      expect(done.pace).not.toBeNull()
      expect(setting("vacuum_cost_delay")?.unchanged).toBe(true)
      expect(setting("vacuum_cost_limit")?.unchanged).toBe(true)
    } finally {
      if (url !== undefined) await store.close()
    }
  })

  it("is done by a running worker within seconds of a table passing its threshold, at its default pace", async () => {
    const store = ctx.store()
    if (await autovacuumRuns(store)) return
    await sql`create table swept (id int primary key, value int)`.execute(store.db)
    await sql`insert into swept select n, n from generate_series(1, 1000) n`.execute(store.db)
    await statsShow(store, "swept", (stats) => stats.changed >= 1000)
    await sql`analyze swept`.execute(store.db)
    await sql`update swept set value = value + 1 where id <= 300`.execute(store.db)
    await statsShow(store, "swept", (stats) => stats.dead >= 300)
    // A worker as deployed, with no options. A national sweep leaves its dead entries in the queues
    // within seconds; autovacuum's minute (the pace before) is past this wait's limit of 30 s.
    const engine = testEngine(store)
    try {
      const vacuumed = Effect.promise(() => statsShow(store, "swept", (stats) => stats.vacuumed, 300))
      await engine.run(Effect.raceFirst(runWorker(), vacuumed))
      expect((await statsOf(store, "swept")).dead).toBe(0)
    } finally {
      await engine.dispose()
    }
  }, 60_000)

  it("is done by one process at a time: a round finds another's lock and does nothing", async () => {
    const url = ctx.databaseUrl()
    // PGlite is one process, one session: there is no other to hold the lock.
    if (url === undefined) return
    const store = ctx.store()
    await sql`create table busy (id int primary key, value int)`.execute(store.db)
    await sql`insert into busy select n, n from generate_series(1, 1000) n`.execute(store.db)
    await statsShow(store, "busy", (stats) => stats.changed >= 1000)
    const other = new pg.Client({ connectionString: url })
    await other.connect()
    try {
      await other.query("select pg_advisory_lock(hashtext('liandong.upkeep'))")
      expect(await round(store)).toEqual([])
      await other.query("select pg_advisory_unlock(hashtext('liandong.upkeep'))")
      if (!(await autovacuumRuns(store))) expect((await round(store)).map((table) => table.table)).toContain("busy")
    } finally {
      await other.end()
    }
  })
})
