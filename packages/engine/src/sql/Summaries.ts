/** The stored summaries: each version of a campaign's summary, one row per format. */
import type { Sql } from "../Db.ts"

/** The campaign's latest summary version, or nothing before the first. */
export const lastSummaryVersion = (db: Sql, campaignId: string) =>
  db
    .selectFrom("summaries")
    .select((eb) => eb.fn.max("version").as("version"))
    .where("campaign_id", "=", campaignId)
    .executeTakeFirst()
    .then((row) => (row?.version === undefined || row.version === null ? undefined : Number(row.version)))

/** A rendered summary document to store, with the hash of its bytes and the journal position it reflects. */
export interface SummaryDocument {
  readonly campaignId: string
  readonly version: number
  readonly format: string
  readonly content: string
  readonly hash: string
  readonly journalSeq: number
}

/** Stores one format of a summary version; its id. */
export const insertSummary = (db: Sql, document: SummaryDocument) =>
  db
    .insertInto("summaries")
    .values({
      campaign_id: document.campaignId,
      version: document.version,
      format: document.format,
      content: document.content,
      hash: document.hash,
      journal_seq: document.journalSeq,
    })
    .returning("id")
    .executeTakeFirstOrThrow()
    .then((row) => row.id)
