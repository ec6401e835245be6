/**
 * The statements of the upkeep where no autovacuum runs (`worker/Upkeep.ts`): which tables
 * autovacuum would vacuum or analyze now, by its rule and each table's own settings, and doing it.
 */
import { sql } from "kysely"
import type { Sql } from "../Db.ts"

/** A table whose dead rows or changed rows are past autovacuum's thresholds for it. */
export interface TableDue {
  readonly table: string
  /** dead row versions past its vacuum threshold (the server's default: 50 + 20 % of its rows) */
  readonly vacuum: boolean
  /** rows changed since its last analyze past its analyze threshold (the server's default: 50 + 10 %) */
  readonly analyze: boolean
}

// A table's own autovacuum setting (`alter table … set (…)`, as the queues have), else the server's.
const setting = (name: string) =>
  sql`coalesce((select option_value::float8 from pg_options_to_table(c.reloptions)
    where option_name = ${name}), current_setting(${name})::float8)`

/**
 * The tables of the schema this role may maintain (it owns them, or is a superuser) that are
 * due, when nothing else maintains them: always on PGlite (`embedded`), on PostgreSQL only
 * while autovacuum is off. Due as autovacuum judges it: past the table's threshold plus its
 * scale factor times its rows (its own settings, else the server's: by default 50 + 20 % to
 * vacuum, 50 + 10 % to analyze). A table never analyzed counts as empty, as autovacuum counts it.
 */
export const selectTablesDue = (db: Sql, embedded: boolean) =>
  sql<TableDue>`
    select relname as table, dead > vacuum_at as vacuum, changed > analyze_at as analyze
    from (
      select c.relname, s.n_dead_tup as dead, s.n_mod_since_analyze as changed,
        ${setting("autovacuum_vacuum_threshold")}
          + ${setting("autovacuum_vacuum_scale_factor")} * greatest(c.reltuples, 0) as vacuum_at,
        ${setting("autovacuum_analyze_threshold")}
          + ${setting("autovacuum_analyze_scale_factor")} * greatest(c.reltuples, 0) as analyze_at
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid
      where s.schemaname = current_schema() and pg_has_role(c.relowner, 'USAGE')
        and (${embedded} or current_setting('autovacuum') = 'off')
    ) t
    where dead > vacuum_at or changed > analyze_at
    order by relname`
    .execute(db)
    .then((result) => result.rows)

/**
 * Vacuums or analyzes one table, or both, each by its own rule as autovacuum does: an analyze
 * that is not due is not done with a vacuum (a hot table is vacuumed far more often than what
 * its plans read changes). Never inside a transaction.
 */
export const maintainTable = (db: Sql, due: TableDue) =>
  (due.vacuum && due.analyze
    ? sql`vacuum (analyze) ${sql.id(due.table)}`
    : due.vacuum
      ? sql`vacuum ${sql.id(due.table)}`
      : sql`analyze ${sql.id(due.table)}`
  ).execute(db)

// A cost setting autovacuum takes from the server's own for it unless that is -1 ("as for VACUUM").
const autovacuums = (name: string) =>
  sql`case current_setting(${`autovacuum_${name}`}) when '-1' then current_setting(${name})
    else current_setting(${`autovacuum_${name}`}) end`

/**
 * Paces this session's vacuums and analyzes as autovacuum paces its own (by default a rest of
 * 2 ms each time their work reaches a cost of 200, a page read from the buffers costing 1); the
 * pace this session then has. A VACUUM or ANALYZE statement runs unpaced by default, and the
 * upkeep's took a core for tens of milliseconds at a time (an analyze of a 13,500-row journal
 * 60–140 ms) while commands waited for it. For the session: neither statement runs in a transaction.
 */
export const paceLikeAutovacuum = (db: Sql) =>
  sql<{ pace: string }>`select set_config('vacuum_cost_delay', ${autovacuums("vacuum_cost_delay")}, false) as pace,
      set_config('vacuum_cost_limit', ${autovacuums("vacuum_cost_limit")}, false) as cost_limit`
    .execute(db)
    .then((result) => result.rows[0]?.pace ?? "")

/** The session's vacuums and analyzes back to their configured pace (unpaced by default). */
export const unpace = async (db: Sql) => {
  await sql`reset vacuum_cost_delay`.execute(db)
  await sql`reset vacuum_cost_limit`.execute(db)
}

// One process at a time maintains a database: the others find the lock taken and skip a round.
const upkeepLock = sql`hashtext('liandong.upkeep')`

/** Takes the upkeep's session lock on this connection, if no other holds it. */
export const tryUpkeepLock = (db: Sql) =>
  sql<{ locked: boolean }>`select pg_try_advisory_lock(${upkeepLock}) as locked`
    .execute(db)
    .then((result) => result.rows[0]?.locked === true)

/** Releases the upkeep's session lock. */
export const releaseUpkeepLock = (db: Sql) => sql`select pg_advisory_unlock(${upkeepLock})`.execute(db)
