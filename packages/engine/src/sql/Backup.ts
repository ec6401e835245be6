/**
 * The statements of a backup and a restore: a snapshot pg_dump can share, the
 * facts a manifest records of it, and what a database to restore into holds.
 */
import { sql } from "kysely"
import type { Sql } from "../Db.ts"

/** Exports this transaction's snapshot, for `pg_dump --snapshot`; valid while the transaction lasts. */
export const exportSnapshot = (db: Sql): Promise<string> =>
  sql<{ snapshot: string }>`select pg_export_snapshot() as snapshot`
    .execute(db)
    .then((result) => result.rows[0]?.snapshot ?? "")

/** The server's version, as `show server_version` gives it. */
export const selectServerVersion = (db: Sql): Promise<string> =>
  sql<{ server_version: string }>`show server_version`
    .execute(db)
    .then((result) => result.rows[0]?.server_version ?? "")

/** The newest migration applied, or null where none was (or Kysely's table is missing). */
export const selectSchemaVersion = async (db: Sql): Promise<string | null> => {
  const present = await sql<{ present: boolean }>`
    select to_regclass(quote_ident(current_schema()) || '.kysely_migration') is not null as present`.execute(db)
  if (present.rows[0]?.present !== true) return null
  const newest = await sql<{ name: string | null }>`select max(name) as name from kysely_migration`.execute(db)
  return newest.rows[0]?.name ?? null
}

/** Each campaign's journal length and head, by id. */
export const selectJournalHeads = (db: Sql) =>
  db.selectFrom("campaigns").select(["id", "status", "journal_seq", "journal_head"]).orderBy("id").execute()

/** The tables, views, sequences and functions in the current schema, by name: what a restore must not meet. */
export const selectSchemaObjects = (db: Sql): Promise<ReadonlyArray<string>> =>
  sql<{ name: string }>`
    select c.relname as name from pg_class c
      where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
    union all
    select p.proname || '()' from pg_proc p where p.pronamespace = current_schema()::regnamespace
    order by 1`
    .execute(db)
    .then((result) => result.rows.map((row) => row.name))

/** Writes every changed page to the data files (`checkpoint`): a folder copied now holds everything. */
export const checkpointFiles = (db: Sql): Promise<unknown> => sql`checkpoint`.execute(db)
