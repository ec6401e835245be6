/**
 * The journal's statements: appending rows under the campaign head's lock (the database
 * function `journal_append` hashes each on the one before), and reading the head.
 */
import { sql } from "kysely"
import type { Sql } from "../Db.ts"

/** A row for `journal_append`: its fields and the canonical text around its sequence number and time. */
export interface AppendRow {
  readonly campaign_id: string
  readonly before_at: string
  readonly before_seq: string
  readonly after_seq: string
  readonly [field: string]: unknown
}

/** Appends rows to the campaign's chain in one call; the head's sequence number afterwards. */
export const appendJournalRows = (db: Sql, campaignId: string, rows: ReadonlyArray<AppendRow>) =>
  sql<{ seq: number }>`select journal_append(${campaignId}, ${JSON.stringify(rows)}::jsonb) as seq`
    .execute(db)
    .then((result) => result.rows[0]?.seq)

/** The campaign's journal head: the last row's sequence number and hash. */
export const journalHead = (db: Sql, campaignId: string) =>
  db
    .selectFrom("campaigns")
    .select(["journal_seq", "journal_head"])
    .where("id", "=", campaignId)
    .executeTakeFirstOrThrow()
